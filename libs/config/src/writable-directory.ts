import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Why `directory` cannot hold a service's files, or undefined when it can:
 * it exists and this process may write to it, or the nearest part of its path
 * that exists is a directory this process may create it in. Nothing is
 * created: configuration is only read here (the stores create it on open).
 */
export function unwritableDirectoryProblem(directory: string): string | undefined {
  const absolute = resolve(directory);
  let existing = absolute;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) {
        return existing === absolute
          ? `names ${absolute}, which is a file, not a directory`
          : `names ${absolute}, which cannot be created: ${existing} is a file`;
      }
      break;
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      // ENOTDIR: a part of the path above is a file, which the next round names.
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        return `names ${absolute}, which cannot be read (${code})`;
    }
    existing = dirname(existing);
  }
  try {
    // X_OK too: a directory without it cannot be entered to create files in.
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const reason =
      code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this process';
    return existing === absolute
      ? `names ${absolute}, which ${reason}`
      : `names ${absolute}, which cannot be created: ${existing} ${reason}`;
  }
  return undefined;
}
