import { setTimeout as sleep } from 'node:timers/promises';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { startOutboxWorker } from '../src/outbox/outbox-worker';
import { DocumentCache } from '../src/services/document-cache';
import { gatewayWith, silentLogger, useEmbeddedStores } from './support/outbox-fixture';
import { sendJson, startScriptedGateway, type ScriptedGateway } from './support/scripted-gateway';
import { SERVICE_TOKEN } from './support/start-backend';

// Found in review: after an outage, jobs waited out a backoff of up to
// minutes, and a document deleted meanwhile stayed searchable at the gateway.
describe('the outbox once the gateway answers again', () => {
  const stores = useEmbeddedStores('dt-outbox-recovery-');

  it('runs the jobs that wait out their backoff at once', async () => {
    let gatewayUp = false;
    let asked = 0;
    const removed: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayWith({
        removeFromIndex: async (_ownerId, documentId) => {
          asked += 1;
          // Its Retry-After of ten minutes: the backoff's full jitter alone may be near 0.
          if (!gatewayUp) throw new GatewayUnavailableError('busy', 600, 600);
          removed.push(documentId);
        },
      }),
      new DocumentCache(stores().cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      await stores().outbox.enqueue({ kind: 'delete', ownerId: 'owner', documentId: 'doc-1' });
      worker.wake();
      // Its first attempt meets the outage, and it waits ten minutes.
      for (let waited = 0; asked === 0 && waited < 5000; waited += 20) await sleep(20);
      expect(asked).toBe(1);
      gatewayUp = true;
      await sleep(200);
      expect(removed).toEqual([]);
      worker.gatewayRecovered();
      for (let waited = 0; removed.length === 0 && waited < 5000; waited += 20) await sleep(20);
      expect(removed).toEqual(['doc-1']);
      expect((await stores().outbox.pendingCounts()).delete).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});

describe("the gateway client's circuit", () => {
  let gateway: ScriptedGateway;
  beforeEach(async () => {
    gateway = await startScriptedGateway();
  });
  afterEach(() => gateway.stop());

  it('says when a test call closes the open circuit, and only then', async () => {
    let recovered = 0;
    let healthy = false;
    gateway.answer = (_request, res) =>
      healthy ? sendJson(res, 200, { hits: [] }) : sendJson(res, 503, { code: 'DT_ERR_BUSY' });
    const client = createGatewayClient({
      baseUrl: gateway.url,
      serviceToken: SERVICE_TOKEN,
      failuresToOpen: 1,
      halfOpenAfterMs: 100,
      onRecovered: () => (recovered += 1),
    });
    await expect(client.search({ ownerId: 'o', query: 'q' })).rejects.toBeInstanceOf(
      GatewayUnavailableError,
    );
    expect(recovered).toBe(0);
    healthy = true;
    await sleep(150);
    await client.search({ ownerId: 'o', query: 'q' });
    expect(recovered).toBe(1);
    await client.search({ ownerId: 'o', query: 'q' });
    expect(recovered).toBe(1);
  });
});
