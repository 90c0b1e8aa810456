import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsTestClientConfig, startMoto, type RunningService } from '@docuthinker/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores } from '../src/create-stores';
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
