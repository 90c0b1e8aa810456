import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseDiskSpaceCheck, freeDiskSpaceCheck } from '../src/free-disk-space';

describe('free disk space check', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'docuthinker-disk-space-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('passes while the disk has the space asked for', async () => {
    await expect(freeDiskSpaceCheck(directory, 1)()).resolves.toBeUndefined();
  });

  it('fails with the free and needed mebibytes, and no path, when the disk has less', async () => {
    const check = freeDiskSpaceCheck(directory, Number.MAX_SAFE_INTEGER);
    const failure = await check().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/^disk nearly full: [\d.]+ MiB free, \d+ MiB needed$/);
    expect(failure?.message).not.toContain(directory);
  });

  it('fails when the directory is gone', async () => {
    await expect(freeDiskSpaceCheck(join(directory, 'missing'), 1)()).rejects.toThrow(/ENOENT/);
  });

  it("checks a database file's directory, and nothing for an in-memory database", async () => {
    await expect(
      databaseDiskSpaceCheck(join(directory, 'store.db'), Number.MAX_SAFE_INTEGER)(),
    ).rejects.toThrow(/disk nearly full/);
    await expect(
      databaseDiskSpaceCheck(':memory:', Number.MAX_SAFE_INTEGER)(),
    ).resolves.toBeUndefined();
  });
});
