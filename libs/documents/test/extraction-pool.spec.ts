import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError, ExtractionBusyError, ExtractionPool } from '../src';

/**
 * A stand-in worker in plain JavaScript (worker threads cannot run these
 * TypeScript sources): it reports ready, then answers by file name: "spin"
 * never returns, "hog" holds memory until its heap bound stops it, "refuse"
 * is refused as corrupt, anything else is extracted.
 * The real worker's behaviour is covered end to end by the backend's tests.
 */
const STAND_IN_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, input }) => {
  if (input.filename === 'spin') for (;;) {}
  if (input.filename === 'hog') {
    const held = [];
    for (;;) held.push(new Array(1e5).fill(held.length));
  }
  if (input.filename === 'refuse') {
    const documentError = { code: 'DT_ERR_CORRUPT_FILE', message: 'Damaged.' };
    parentPort.postMessage({ id, ok: false, message: 'Damaged.', documentError });
    return;
  }
  parentPort.postMessage({
    id,
    ok: true,
    document: { fileType: 'txt', mimeType: 'text/plain', text: Buffer.from(input.bytes).toString(),
      title: input.filename, contentHash: 'x', size: input.bytes.length },
  });
});
parentPort.postMessage({ ready: true });
`;

describe('ExtractionPool', () => {
  let dir: string;
  let workerFile: string;
  const pools: ExtractionPool[] = [];
  const pool = (options: {
    workerFile: string;
    timeoutMs?: number;
    size?: number;
    heapLimitMb?: number;
    maxQueuedBytes?: number;
  }) => {
    const created = new ExtractionPool({ timeoutMs: 30_000, ...options });
    pools.push(created);
    return created;
  };
  const input = (filename: string) => ({ bytes: new Uint8Array(Buffer.from('text')), filename });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dt-extraction-pool-'));
    workerFile = join(dir, 'stand-in-worker.js');
    writeFileSync(workerFile, STAND_IN_WORKER);
  });
  afterAll(async () => {
    await Promise.all(pools.map((created) => created.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers with the document the worker extracted', async () => {
    await expect(pool({ workerFile }).extract(input('notes.txt'))).resolves.toMatchObject({
      text: 'text',
      title: 'notes.txt',
    });
  });

  it('rebuilds a refusal as a DocumentError with its code', async () => {
    const refusal = pool({ workerFile }).extract(input('refuse'));
    await expect(refusal).rejects.toBeInstanceOf(DocumentError);
    await expect(refusal).rejects.toMatchObject({ code: 'DT_ERR_CORRUPT_FILE', status: 422 });
  });

  it('stops a worker still busy at the bound, refuses that upload, and serves the next one', async () => {
    const bounded = pool({ workerFile, timeoutMs: 300, size: 1 });
    const spinning = bounded.extract(input('spin'));
    const next = bounded.extract(input('after.txt'));
    await expect(spinning).rejects.toMatchObject({
      code: 'DT_ERR_EXTRACTION_TIMEOUT',
      status: 422,
    });
    await expect(next).resolves.toMatchObject({ title: 'after.txt' });
  });

  it('stops a worker that outgrows its heap bound, refuses that upload, and serves the next one', async () => {
    const bounded = pool({ workerFile, heapLimitMb: 32, size: 1 });
    const hogging = bounded.extract(input('hog'));
    const next = bounded.extract(input('after.txt'));
    await expect(hogging).rejects.toMatchObject({ code: 'DT_ERR_EXTRACTION_MEMORY', status: 422 });
    await expect(next).resolves.toMatchObject({ title: 'after.txt' });
  });

  it('refuses an upload with ExtractionBusyError while the queue holds its byte bound, and takes uploads again once it drains', async () => {
    const bounded = pool({ workerFile, timeoutMs: 500, size: 1, maxQueuedBytes: 8 });
    // All three in one tick: the worker is still starting, so all wait in the
    // queue: 4 + 4 bytes fit the bound, a third upload of 4 would pass it.
    const spinning = bounded.extract(input('spin'));
    const waiting = bounded.extract(input('waiting.txt'));
    const refused = bounded.extract(input('refused.txt'));
    await expect(refused).rejects.toBeInstanceOf(ExtractionBusyError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 5 });
    await expect(spinning).rejects.toMatchObject({ code: 'DT_ERR_EXTRACTION_TIMEOUT' });
    await expect(waiting).resolves.toMatchObject({ title: 'waiting.txt' });
    await expect(bounded.extract(input('later.txt'))).resolves.toMatchObject({
      title: 'later.txt',
    });
  });

  it('fails the waiting uploads when the worker cannot start, and tries again for the next', async () => {
    const broken = pool({ workerFile: join(dir, 'missing-worker.js') });
    await expect(broken.extract(input('a.txt'))).rejects.toThrow(/could not start/);
    await expect(broken.extract(input('b.txt'))).rejects.toThrow(/could not start/);
  });

  it('refuses uploads once closed', async () => {
    const closed = pool({ workerFile });
    await closed.close();
    await expect(closed.extract(input('late.txt'))).rejects.toThrow(/closed/);
  });
});
