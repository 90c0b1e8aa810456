import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsTestClientConfig, startMoto, type RunningService } from '@docuthinker/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores } from '../src/create-stores';
import { boundedS3ClientConfig } from '../src/files/bounded-s3-client-config';
import { S3FileStore, type S3FileStoreOptions } from '../src/files/s3-file-store';
import { putDeadlineMs } from '../src/files/file-put-deadline';
import { fileStoreContract } from './contracts/file-store.contract';

/** A local HTTP server as the S3 endpoint; `answer` decides what (if anything) it says. */
async function fakeS3(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Runs `test` with an S3FileStore (production timeouts, `options`) on a fake
 * S3 that answers with `answer`, and tears both down.
 */
async function withFakeS3(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  options: S3FileStoreOptions & { bucket?: string },
  test: (files: S3FileStore, requests: readonly string[]) => Promise<void>,
): Promise<void> {
  const s3 = await fakeS3(answer);
  const client = new S3Client(boundedS3ClientConfig(awsTestClientConfig(s3.url)));
  try {
    await test(new S3FileStore(client, options.bucket ?? 'hung-bucket', options), s3.requests);
  } finally {
    client.destroy();
    await s3.close();
  }
}

describe('S3 file store (real moto server)', () => {
  const bucket = 'docuthinker-documents-test';
  let moto: RunningService;
  let client: S3Client;
  let files: S3FileStore;

  beforeAll(async () => {
    moto = await startMoto();
    client = new S3Client(awsTestClientConfig(moto.url));
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    files = new S3FileStore(client, bucket);
  }, 90_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  fileStoreContract({ files: () => files, signsUrls: true });

  it('keeps the content type it was given', async () => {
    await files.put('owner/doc/original.pdf', Buffer.from('%PDF'), {
      contentType: 'application/pdf',
    });
    expect((await files.get('owner/doc/original.pdf'))?.contentType).toBe('application/pdf');
  });

  it('deletes more objects than one listing page holds', async () => {
    const paged = new S3FileStore(client, bucket, { listPageSize: 4 });
    const keys = Array.from({ length: 11 }, (_, index) => `bulk/doc-${index}/original.txt`);
    await Promise.all(keys.map((key) => paged.put(key, Buffer.from('x'))));
    expect(await paged.deletePrefix('bulk/')).toBe(11);
    expect(await paged.getBuffer('bulk/doc-10/original.txt')).toBeNull();
  });

  // Found by an exploratory test: `/ready` said only "UnknownError" (HeadBucket's 404 has no body).
  it('reports unhealthy for a bucket that does not exist, and says so', async () => {
    const missing = new S3FileStore(client, 'no-such-bucket-here');
    expect(await missing.health()).toMatchObject({
      ok: false,
      adapter: 's3',
      error: 'bucket no-such-bucket-here does not exist',
    });
  });

  it('is what createStores picks when a bucket is set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'docuthinker-s3-stores-'));
    const stores = await createStores({
      dataDir,
      documentsBucket: bucket,
      s3ClientConfig: awsTestClientConfig(moto.url),
    });
    try {
      expect(stores.adapters.files).toBe('s3');
      await stores.files.put('via-create-stores/file.txt', Buffer.from('in s3'));
      expect((await files.getBuffer('via-create-stores/file.txt'))?.toString()).toBe('in s3');
      expect((await stores.health()).components.files).toMatchObject({ ok: true, adapter: 's3' });
    } finally {
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('S3 file store when S3 hangs (real moto server, frozen)', () => {
  const bucket = 'docuthinker-documents-hung';
  // Short, for the test; production's are S3_TIMEOUTS.
  const timeouts = { connectionTimeout: 500, requestTimeout: 1500, socketTimeout: 1500 };
  let moto: RunningService;
  let client: S3Client;
  let files: S3FileStore;

  beforeAll(async () => {
    moto = await startMoto();
    client = new S3Client(boundedS3ClientConfig(awsTestClientConfig(moto.url), timeouts));
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    files = new S3FileStore(client, bucket);
  }, 90_000);

  afterAll(async () => {
    moto?.freeze(false);
    client?.destroy();
    await moto?.stop();
  });

  it('fails each call within its timeouts instead of hanging, and works again once S3 answers', async () => {
    await files.put('hung/before.txt', Buffer.from('stored before'));
    moto.freeze(true);
    try {
      for (const call of [
        () => files.put('hung/during.txt', Buffer.from('x')),
        () => files.getBuffer('hung/before.txt'),
        // Not `before.txt`: S3 does the queued request once it answers again.
        () => files.delete('hung/other.txt'),
      ]) {
        const started = performance.now();
        await expect(call()).rejects.toThrow();
        // Bounded by the timeouts (a few of them, with the SDK's own retries), not by S3.
        expect(performance.now() - started).toBeLessThan(15_000);
      }
      expect(await files.health()).toMatchObject({ ok: false, adapter: 's3' });
    } finally {
      moto.freeze(false);
    }
    expect((await files.getBuffer('hung/before.txt'))?.toString()).toBe('stored before');
    await files.put('hung/after.txt', Buffer.from('stored after'));
    expect((await files.getBuffer('hung/after.txt'))?.toString()).toBe('stored after');
  }, 60_000);
});

// Found by an exploratory test: an endpoint that accepts connections and never
// answers held an upload ~90 s (three attempts, each ended by the socket timeout).
describe('S3 file store against an endpoint that never answers (local HTTP server)', () => {
  it('gives up a put at its deadline, after one request: the SDK does not retry an aborted one', async () => {
    // The production timeouts: only the put's deadline can end the call this soon.
    await withFakeS3(
      () => undefined,
      { putDeadlineMs: 1000 },
      async (files, requests) => {
        const started = performance.now();
        const failure = await files.put('owner/doc/original.txt', Buffer.from('x')).then(
          () => undefined,
          (error: unknown) => error,
        );
        const elapsed = performance.now() - started;
        expect(failure).toMatchObject({
          name: 'S3PutDeadlineError',
          message: 'S3 did not store owner/doc/original.txt within 1000 ms',
          cause: { name: 'AbortError' },
        });
        expect(elapsed).toBeGreaterThanOrEqual(900);
        expect(elapsed).toBeLessThan(3000);
        // Time for a retry (the SDK backs off ~100 ms) to show up, had there been one.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(requests).toEqual(['PUT /hung-bucket/owner/doc/original.txt?x-id=PutObject']);
      },
    );
  }, 15_000);

  it('gives up a delete at its own deadline, so the removal of a failed upload does not hold a socket for minutes', async () => {
    await withFakeS3(
      () => undefined,
      { deleteDeadlineMs: 500 },
      async (files, requests) => {
        const started = performance.now();
        await expect(files.delete('owner/doc/original.txt')).rejects.toMatchObject({
          name: 'AbortError',
        });
        expect(performance.now() - started).toBeLessThan(2500);
        expect(requests).toHaveLength(1);
      },
    );
  }, 15_000);

  it("gives each call of a prefix's removal a deadline, so an erasure against a hung S3 fails in seconds", async () => {
    await withFakeS3(
      () => undefined,
      { deleteDeadlineMs: 500 },
      async (files, requests) => {
        const started = performance.now();
        await expect(files.deletePrefix('owner/')).rejects.toMatchObject({ name: 'AbortError' });
        expect(performance.now() - started).toBeLessThan(2500);
        expect(requests).toHaveLength(1);
      },
    );
  }, 15_000);

  it('gives a put a deadline that grows with the file: a larger upload limit does not turn healthy uploads into outages', () => {
    expect(putDeadlineMs(0)).toBe(20_000);
    expect(putDeadlineMs(25 * 1024 * 1024)).toBe(45_000);
    expect(putDeadlineMs(200 * 1024 * 1024)).toBe(220_000);
  });

  it('says access denied when S3 answers 403', async () => {
    await withFakeS3(
      (_req, res) => res.writeHead(403).end(),
      { bucket: 'not-ours' },
      async (files) => {
        expect(await files.health()).toMatchObject({
          ok: false,
          adapter: 's3',
          error: 'access denied to bucket not-ours',
        });
      },
    );
  });
});
