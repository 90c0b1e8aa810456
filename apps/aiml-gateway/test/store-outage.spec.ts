import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_API } from '@docuthinker/contracts';
import { startChroma, type RunningService } from '@docuthinker/testing';
import { startTestGateway, type TestGateway } from './support/test-gateway';

// Found by the fault suite (tools/resilience): with Chroma killed, index,
// search and ask answered 500 DT_ERR_INTERNAL without Retry-After and logged
// an "unhandled error". A store outage is a 503 the caller can retry.
describe('the gateway while Chroma is down', () => {
  const chromaDir = mkdtempSync(join(tmpdir(), 'dt-gateway-chroma-outage-'));
  let chroma: RunningService;
  let gateway: TestGateway;

  beforeAll(async () => {
    chroma = await startChroma({ dataDir: chromaDir });
    gateway = await startTestGateway({ engine: { chromaUrl: chroma.url } });
  }, 60000);
  afterAll(async () => {
    await gateway?.close();
    await chroma?.stop();
    rmSync(chromaDir, { recursive: true, force: true });
  });

  const index = () =>
    gateway.service({
      method: 'POST',
      url: GATEWAY_API.index,
      payload: {
        ownerId: 'alice',
        documentId: 'doc-1',
        title: 'Harbour report',
        text: 'The harbour cranes were serviced in May. Two of them need new cables.',
      },
    });

  it('answers 503 DT_ERR_ENGINE_UNAVAILABLE with Retry-After, and works again once Chroma is back', async () => {
    expect((await index()).statusCode).toBe(200);
    await chroma.stop();

    const requests = [
      index(),
      gateway.service({
        method: 'POST',
        url: GATEWAY_API.search,
        payload: { ownerId: 'alice', query: 'harbour cranes' },
      }),
      gateway.service({
        method: 'POST',
        url: GATEWAY_API.ask,
        payload: { ownerId: 'alice', question: 'What needs new cables?' },
      }),
    ];
    for (const answer of await Promise.all(requests)) {
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json().code).toBe('DT_ERR_ENGINE_UNAVAILABLE');
    }

    chroma = await startChroma({ dataDir: chromaDir, port: chroma.port });
    expect((await index()).statusCode).toBe(200);
  }, 60000);
});
