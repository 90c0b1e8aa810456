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
    const temps = join(root, '.tmp');
    expect(readdirSync(temps)).toEqual([]);
  });

  it('reports unhealthy when its directory cannot be created', async () => {
    const notADirectory = join(sandbox, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const blocked = new LocalFileStore(join(notADirectory, 'documents'));
    expect(await blocked.health()).toMatchObject({ ok: false, adapter: 'local' });
  });
});
