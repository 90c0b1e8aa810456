import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsTestClientConfig, startMoto, type RunningService } from '@docuthinker/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores } from '../src/create-stores';
import { boundedS3ClientConfig } from '../src/files/bounded-s3-client-config';
import { S3FileStore } from '../src/files/s3-file-store';
import { fileStoreContract } from './contracts/file-store.contract';

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

  it('reports unhealthy for a bucket that does not exist', async () => {
    const missing = new S3FileStore(client, 'no-such-bucket-here');
    expect(await missing.health()).toMatchObject({ ok: false, adapter: 's3' });
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
