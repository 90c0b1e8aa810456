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

  it('once failed, passes again only with half as much again free, so /ready does not flap at the line', async () => {
    const MEBIBYTE = 1024 * 1024;
    let free = 0;
    const check = freeDiskSpaceCheck(directory, 32 * MEBIBYTE, async () => free * MEBIBYTE);
    const outcome = (mebibytesFree: number) => {
      free = mebibytesFree;
      return check().then(
        () => 'ready',
        (error: Error) => error.message,
      );
    };
    expect(await outcome(40)).toBe('ready');
    expect(await outcome(31)).toBe('disk nearly full: 31 MiB free, 32 MiB needed');
    expect(await outcome(40)).toBe('disk nearly full: 40 MiB free, 48 MiB needed');
    expect(await outcome(48)).toBe('ready');
    expect(await outcome(33)).toBe('ready');
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
