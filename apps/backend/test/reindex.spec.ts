import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reindexDocuments, UnknownUserError } from '../src/reindex/reindex-documents';
import { ApiClient, eventually, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

const REINDEX_BUNDLE = join(__dirname, '../../../dist/apps/backend/reindex-main.js');
const run = promisify(execFile);

describe('re-indexing from the store', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let email: string;
  let user: ApiClient;
  let other: ApiClient;

  const indexCalls = () => gateway.calls.filter((call) => call === 'POST /ai/v1/index').length;
  const settled = () =>
    eventually(async () => {
      const counts = await backend.stores.outbox.pendingCounts();
      return counts.index === 0 && counts.delete === 0 ? true : undefined;
    });

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    email = uniqueEmail('reindex');
    user = await new ApiClient(backend.url).registerUser(email);
    other = await new ApiClient(backend.url).registerUser(uniqueEmail('bystander'));
    await user.post('/api/documents', { title: 'One', text: 'First document.' });
    await user.post('/api/documents', { title: 'Two', text: 'Second document.' });
    await other.post('/api/documents', { title: 'Three', text: 'Someone else.' });
    await settled();
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('queues one user’s documents again and the worker re-sends them', async () => {
    const before = indexCalls();
    gateway.indexed.clear(); // the derived index was lost
    const outcome = await reindexDocuments(backend.stores, { email });
    expect(outcome.queued).toBe(2);
    backend.worker.wake();
    await settled();
    expect(indexCalls() - before).toBe(2);
    expect([...gateway.indexed.values()].map((doc) => doc.title).sort()).toEqual(['One', 'Two']);
    await expect(
      reindexDocuments(backend.stores, { email: 'nobody@example.com' }),
    ).rejects.toBeInstanceOf(UnknownUserError);
  });

  // Found in review: the cached listing read `indexed` for minutes while each
  // document read `pending`.
  it('drops the cached listing whose statuses it changes', async () => {
    const me = await user.get<{ id: string }>('/api/me');
    const generationKey = `doc:${me.body.id}:generation`;
    const statuses = async () =>
      (
        await user.get<{ items: { indexStatus: string }[] }>('/api/documents?limit=10')
      ).body.items.map((item) => item.indexStatus);
    expect(await statuses()).toEqual(['indexed', 'indexed']);
    const cached = await backend.stores.cache.get(generationKey);
    expect(typeof cached).toBe('string');
    // No job completes meanwhile (its completion invalidates the listing too).
    await gateway.stop();
    try {
      await reindexDocuments(backend.stores, { email });
      expect(await backend.stores.cache.get(generationKey)).not.toBe(cached);
      expect(await statuses()).toEqual(['pending', 'pending']);
    } finally {
      await gateway.start();
      backend.worker.wake();
      await settled();
    }
  });

  it('runs as a command on the built bundle against the same store', async () => {
    const before = indexCalls();
    const env = {
      PATH: process.env['PATH'],
      NODE_ENV: 'development',
      DOCUTHINKER_DATA_DIR: backend.dataDir,
    };
    const { stdout } = await run(process.execPath, [REINDEX_BUNDLE, '--all'], { env });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ queued: 3 });
    backend.worker.wake();
    await settled();
    expect(indexCalls() - before).toBe(3);
    for (const document of (await user.get<{ items: { indexStatus: string }[] }>('/api/documents'))
      .body.items) {
      expect(document.indexStatus).toBe('indexed');
    }

    await expect(run(process.execPath, [REINDEX_BUNDLE], { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('usage: reindex'),
    });
    // Found in an exploratory test: "reindex failed: Unknown option '--help'".
    const help = await run(process.execPath, [REINDEX_BUNDLE, '--help'], { env });
    expect(help.stdout).toMatch(
      /^usage: reindex \(--all \| --email <address> \| --user-id <id>\)\n/,
    );
    // A data directory without the store (mistyped): said, and no store created.
    const mistyped = join(backend.dataDir, 'no-such-dir');
    await expect(
      run(process.execPath, [REINDEX_BUNDLE, '--all'], {
        env: { ...env, DOCUTHINKER_DATA_DIR: mistyped },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `reindex failed: no embedded store at ${join(mistyped, 'docuthinker.db')}: point DOCUTHINKER_DATA_DIR at the backend's data directory`,
      ),
    });
    expect(existsSync(join(mistyped, 'docuthinker.db'))).toBe(false);
  });
});
