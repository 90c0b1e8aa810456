import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { ApiClient, corpusFile, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { sharedContentStreamPdf } from './support/hostile-pdf';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

/**
 * Far below what the bomb needs (tens of seconds of CPU), far above what
 * the sample PDF needs, so neither outcome depends on the machine's speed.
 */
const EXTRACTION_TIMEOUT_MS = 4000;

describe('text extraction runs in worker threads with a time bound', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;
  let userId: string;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({
      gatewayUrl: gateway.url,
      extractionTimeoutMs: EXTRACTION_TIMEOUT_MS,
    });
    const email = uniqueEmail('extraction');
    user = await new ApiClient(backend.url).registerUser(email);
    userId = (await backend.stores.users.findByEmail(email))?.id ?? '';
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('stops a PDF that makes pdf.js interpret one large content stream on every page with 422 DT_ERR_EXTRACTION_TIMEOUT, stores nothing, and serves other requests meanwhile', async () => {
    const bomb = sharedContentStreamPdf(1500, 400);
    let uploadSettled = false;
    const upload = user.upload(bomb, 'bomb.pdf').finally(() => {
      uploadSettled = true;
    });

    // With the parser on the event loop, none of these could be answered
    // until the parser gave up; in a worker they are answered throughout.
    let answeredDuringUpload = 0;
    while (!uploadSettled) {
      const [listing, health] = await Promise.all([
        user.get('/api/documents'),
        new ApiClient(backend.url).get('/health'),
      ]);
      expect([listing.status, health.status]).toEqual([200, 200]);
      if (!uploadSettled) answeredDuringUpload += 1;
      // Client and server share this process: leave the upload room to progress.
      await pause(25);
    }

    const answer = await upload;
    expectProblem(answer, 422, 'DT_ERR_EXTRACTION_TIMEOUT');
    expect(answer.body).toMatchObject({ detail: expect.stringContaining('4 s') });
    expect(answeredDuringUpload).toBeGreaterThan(3);

    expect(await backend.stores.documents.count(userId)).toBe(0);
    const ownerFiles = join(backend.dataDir, 'documents', userId);
    expect(existsSync(ownerFiles) ? readdirSync(ownerFiles, { recursive: true }) : []).toEqual([]);
    expect(await backend.stores.outbox.pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });
  }, 120_000);

  it('extracts an ordinary PDF after a worker was stopped', async () => {
    const answer = await user.upload(corpusFile('shared-mime-info-spec.pdf'), 'spec.pdf');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ fileType: 'pdf', pages: 17 });
  }, 60_000);

  it('reports a damaged PDF found in the worker as the same 422 as before', async () => {
    const sample = corpusFile('shared-mime-info-spec.pdf');
    const answer = await user.upload(sample.subarray(0, sample.length >> 1), 'half.pdf');
    expectProblem(answer, 422, 'DT_ERR_CORRUPT_FILE');
  }, 60_000);
});
