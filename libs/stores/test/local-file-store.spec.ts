import { Readable } from 'node:stream';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileStore } from '../src/files/local-file-store';
import { UnsafeFileKeyError } from '../src/shared/errors';
import { fileStoreContract } from './contracts/file-store.contract';

describe('local-directory file store', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'docuthinker-files-'));
  const root = join(sandbox, 'documents');
  const files = new LocalFileStore(root);
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  fileStoreContract({ files: () => files, signsUrls: false });

  it('writes nothing outside its directory for a traversal attempt', async () => {
    await expect(files.put('../escaped.txt', Buffer.from('x'))).rejects.toBeInstanceOf(
      UnsafeFileKeyError,
    );
    await expect(files.put('a/../../escaped.txt', Buffer.from('x'))).rejects.toBeInstanceOf(
      UnsafeFileKeyError,
    );
    expect(existsSync(join(sandbox, 'escaped.txt'))).toBe(false);
  });

  it('leaves no temporary files behind after a failed or successful write', async () => {
    await files.put('owner/ok.txt', Buffer.from('fine'));
    // An upload whose stream breaks off after its first bytes reached the disk.
    const broken = Readable.from(
      (async function* () {
        yield Buffer.from('the first part');
        throw new Error('the client went away');
      })(),
    );
    await expect(files.put('owner/broken.txt', broken)).rejects.toThrow('the client went away');
    const temps = join(root, '.tmp');
    expect(readdirSync(temps)).toEqual([]);
    expect(await files.getBuffer('owner/broken.txt')).toBeNull();
  });

  // Found in review: every deleted document left its empty folder behind.
  it("removes a deleted document's folder with its file, and no folder something else holds", async () => {
    await files.put('tidy/doc-1/original.txt', Buffer.from('one'));
    await files.put('tidy/doc-2/original.txt', Buffer.from('two'));
    await files.put('tidy/doc-2/other.txt', Buffer.from('three'));
    await files.delete('tidy/doc-1/original.txt');
    await files.delete('tidy/doc-2/original.txt');
    expect(readdirSync(join(root, 'tidy')).sort()).toEqual(['doc-2']);
    expect(readdirSync(join(root, 'tidy', 'doc-2'))).toEqual(['other.txt']);
    // Deleting what is gone already is no error, nor is a key at the top.
    await files.delete('tidy/doc-1/original.txt');
    await files.put('top.txt', Buffer.from('top'));
    await files.delete('top.txt');
    expect(existsSync(root)).toBe(true);
  });

  // Found by the bad-input suite: an account erased while one of its uploads
  // was being written answered 500 (rmdir ENOTEMPTY).
  it('removes a prefix while files are still being written into it', async () => {
    for (let round = 0; round < 5; round += 1) {
      const prefix = `racing-${round}/`;
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => files.put(`${prefix}old-${i}.txt`, Buffer.from('x'))),
      );
      const writes = Array.from({ length: 50 }, (_, i) =>
        files.put(`${prefix}new-${i}.txt`, Buffer.from('y')),
      );
      await expect(files.deletePrefix(prefix)).resolves.toBeGreaterThanOrEqual(50);
      await Promise.all(writes);
    }
  });

  it('reports unhealthy when its directory cannot be created', async () => {
    const notADirectory = join(sandbox, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const blocked = new LocalFileStore(join(notADirectory, 'documents'));
    expect(await blocked.health()).toMatchObject({ ok: false, adapter: 'local' });
  });

  it('reports unhealthy when its disk has less free space than it needs, and healthy otherwise', async () => {
    expect(await files.health()).toMatchObject({ ok: true, adapter: 'local' });
    const nearlyFull = new LocalFileStore(root, { minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    expect(await nearlyFull.health()).toMatchObject({
      ok: false,
      adapter: 'local',
      error: expect.stringMatching(/^disk nearly full: /),
    });
  });
});
