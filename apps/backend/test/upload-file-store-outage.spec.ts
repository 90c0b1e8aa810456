import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, putDeadlineMs, type FileStore, type Stores } from '@docuthinker/stores';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { problemFromDomainError } from '../src/middleware/domain-problems';
import { DocumentCache } from '../src/services/document-cache';
import {
  DocumentService,
  lateWriteCleanupDelayMs,
  type DocumentServiceOptions,
} from '../src/services/document-service';
import { FileStoreUnavailableError } from '../src/services/service-errors';
import { SERVICE_TOKEN } from './support/start-backend';
import { extractedText } from './support/extracted-text';

const TEXT = 'Notes the file store never confirms.';

const extracted = extractedText(TEXT, 'Notes');

/** S3FileStore's put deadline for the file, which a hung S3 runs into. */
const PUT_DEADLINE_MS = putDeadlineMs(Buffer.byteLength(TEXT));
const LATE_WRITE_CLEANUP_DELAY_MS = lateWriteCleanupDelayMs(Buffer.byteLength(TEXT));

/** How S3FileStore gives up on a hung S3: at its deadline, whatever the SDK was doing. */
function deadlineError(key: string): Error {
  return Object.assign(new Error(`S3 did not store ${key} within ${PUT_DEADLINE_MS} ms`), {
    name: 'S3PutDeadlineError',
  });
}

/**
 * Found by an exploratory test: with S3 hung, an upload was answered only
 * after its put had run out of attempts (~90 s) and then the removal of its
 * file had too, and a write S3 finished after that removal left a file no
 * document points to.
 */
describe('an upload the file store does not take', () => {
  let dataDir: string;
  let stores: Stores;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-upload-outage-'));
    stores = await createStores({ dataDir });
  });
  afterEach(async () => {
    jest.useRealTimers();
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function documentService(
    files: FileStore,
    options: Partial<DocumentServiceOptions> = {},
  ): DocumentService {
    return new DocumentService(
      { ...stores, files },
      new DocumentCache(stores.cache),
      createGatewayClient({ baseUrl: 'http://127.0.0.1:9', serviceToken: SERVICE_TOKEN }),
      {
        maxUploadBytes: 1024,
        extractor: { extract: () => Promise.resolve(extracted) },
        onOutboxWork: () => undefined,
        ...options,
      },
    );
  }

  it('is answered 503 at the put deadline without waiting for the removal, which runs again after a delay', async () => {
    const real = stores.files;
    let reachedS3 = () => undefined as void;
    const putReachedS3 = new Promise<void>((resolve) => (reachedS3 = resolve));
    const deletes: Array<{ key: string; done: Promise<void> }> = [];
    const hungS3: FileStore = Object.assign(Object.create(real) as FileStore, {
      // S3 stores the bytes (late, as far as the backend knows) and answers
      // nothing, until S3FileStore's deadline ends the put.
      put: async (key: string, body: Buffer) => {
        await real.put(key, body);
        const deadline = new Promise<never>((_, reject) =>
          setTimeout(() => reject(deadlineError(key)), PUT_DEADLINE_MS),
        );
        reachedS3();
        return deadline;
      },
      // The first removal hangs as the put did; the later one gets through.
      delete: (key: string) => {
        const done = deletes.length === 0 ? new Promise<void>(() => undefined) : real.delete(key);
        deletes.push({ key, done });
        return done;
      },
    });
    const service = documentService(hungS3);
    const { id: ownerId } = await stores.users.create({
      email: 'hung@example.com',
      passwordHash: 'hash',
    });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

    const upload = service.upload(ownerId, { bytes: Buffer.from(TEXT), plainText: true }).then(
      () => 'stored',
      (error: unknown) => error,
    );
    await putReachedS3;
    await jest.advanceTimersByTimeAsync(PUT_DEADLINE_MS);
    // Answered as soon as the put gave up: by the time this turn of the event
    // loop is over, not after the (hung) removal.
    const error = await Promise.race([
      upload,
      new Promise((resolve) => setImmediate(() => resolve('still waiting'))),
    ]);

    expect(error).toBeInstanceOf(FileStoreUnavailableError);
    const problem = problemFromDomainError(error);
    expect(problem).toMatchObject({ code: 'DT_ERR_STORAGE_UNAVAILABLE', status: 503 });
    expect(problem?.extras.headers).toEqual({ 'Retry-After': '10' });
    expect(await stores.documents.count(ownerId)).toBe(0);

    expect(deletes).toHaveLength(1);
    const fileKey = deletes[0]?.key ?? '';
    expect(fileKey).toMatch(new RegExp(`^${ownerId}/[0-9a-f-]+/original\\.txt$`));
    await jest.advanceTimersByTimeAsync(LATE_WRITE_CLEANUP_DELAY_MS - 1);
    expect(deletes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(deletes.map((call) => call.key)).toEqual([fileKey, fileKey]);
    await deletes[1]?.done;
    expect(await real.getBuffer(fileKey)).toBeNull();
  });

  it('removes the file again only after as long again as the put had, which grows with its size', () => {
    expect(lateWriteCleanupDelayMs(0)).toBeGreaterThan(putDeadlineMs(0));
    const largest = 25 * 1024 * 1024;
    expect(lateWriteCleanupDelayMs(largest)).toBeGreaterThan(putDeadlineMs(largest));
    expect(putDeadlineMs(largest)).toBeGreaterThan(putDeadlineMs(0) + 20_000);
    // With the longest extraction (20 s) before it, answered before the load balancer's 120 s.
    expect(putDeadlineMs(largest) + 20_000).toBeLessThan(120_000);
  });

  it('logs each removal that fails at warn, with the file key', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const logger = { warn: (fields: Record<string, unknown>) => void warnings.push(fields) };
    const brokenS3: FileStore = Object.assign(Object.create(stores.files) as FileStore, {
      put: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9000')),
      delete: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9000')),
    });
    const service = documentService(brokenS3, {
      logger: logger as unknown as DocumentServiceOptions['logger'],
      lateWriteCleanupDelayMs: 50,
    });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

    await expect(
      service.upload('owner-1', { bytes: Buffer.from(TEXT), plainText: true }),
    ).rejects.toBeInstanceOf(FileStoreUnavailableError);
    await jest.advanceTimersByTimeAsync(0);
    expect(warnings).toEqual([
      {
        fileKey: expect.stringMatching(/^owner-1\/[0-9a-f-]+\/original\.txt$/),
        attempt: 'first',
        error: 'connect ECONNREFUSED 127.0.0.1:9000',
      },
    ]);
    await jest.advanceTimersByTimeAsync(50);
    expect(warnings.map((fields) => fields['attempt'])).toEqual(['first', 'late-write']);
    expect(warnings[1]?.['fileKey']).toBe(warnings[0]?.['fileKey']);
  });
});
