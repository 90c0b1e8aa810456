import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TemporaryDirectories {
  /** A new empty directory under the OS temp dir, named `<prefix>XXXXXX`. */
  create(): string;
  /** Removes every directory `create()` has made so far. */
  removeAll(): void;
}

/**
 * Directories a test makes as it goes, removed together afterwards, e.g.
 * `const dataDirs = temporaryDirectories('dt-x-'); afterAll(() => dataDirs.removeAll());`.
 */
export function temporaryDirectories(prefix: string): TemporaryDirectories {
  const created: string[] = [];
  return {
    create() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      created.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
