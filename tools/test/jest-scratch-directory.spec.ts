import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';

// The preset's globalSetup/globalTeardown: plain CommonJS, loaded as jest loads them.
const createScratchDirectory =
  require('../jest/scratch-directory-setup.cjs') as () => Promise<void>;
const removeScratchDirectory =
  require('../jest/scratch-directory-teardown.cjs') as () => Promise<void>;

const VARIABLES = ['TMPDIR', 'DOCUTHINKER_JEST_SCRATCH', 'DOCUTHINKER_JEST_TMPDIR_BEFORE'];

describe("a jest run's scratch directory", () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('holds this very run: temporary files of the suites go there', () => {
    expect(basename(tmpdir())).toMatch(/^docuthinker-jest-/);
  });

  it('is removed at the end, TMPDIR given back, and made afresh beside it on the next run (--watch)', async () => {
    delete process.env.DOCUTHINKER_JEST_TMPDIR_BEFORE;
    const before = process.env.TMPDIR;

    await createScratchDirectory();
    const first = process.env.TMPDIR as string;
    expect(existsSync(first)).toBe(true);
    await removeScratchDirectory();
    expect(existsSync(first)).toBe(false);
    expect(process.env.TMPDIR).toBe(before);

    await createScratchDirectory();
    const second = process.env.TMPDIR as string;
    expect(second).not.toBe(first);
    expect(dirname(second)).toBe(dirname(first));
    await removeScratchDirectory();
    expect(existsSync(second)).toBe(false);
  });
});
