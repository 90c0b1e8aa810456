import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

const MEBIBYTE = 1024 * 1024;

/**
 * Below this much free space an embedded store reports itself unready: one
 * upload at the default size limit (25 MiB) and the database's write-ahead
 * log must still fit, and a store that runs out mid-write fails users'
 * requests one by one while `/ready` would otherwise stay 200.
 */
export const MIN_FREE_DISK_BYTES = 32 * MEBIBYTE;

export type DiskSpaceCheck = () => Promise<void>;

/**
 * A readiness check of the disk under `directory`: throws when the space
 * this process may use there is under `minBytes`. The message names no path
 * (readiness details reach operators' dashboards, paths are for the logs).
 */
export function freeDiskSpaceCheck(
  directory: string,
  minBytes: number = MIN_FREE_DISK_BYTES,
): DiskSpaceCheck {
  return async () => {
    const { bavail, bsize } = await statfs(directory);
    const freeBytes = bavail * bsize;
    if (freeBytes < minBytes) {
      throw new Error(
        `disk nearly full: ${mebibytes(freeBytes)} MiB free, ${mebibytes(minBytes)} MiB needed`,
      );
    }
  };
}

/** The check for an embedded database file; none for an in-memory one. */
export function databaseDiskSpaceCheck(
  databasePath: string,
  minBytes: number = MIN_FREE_DISK_BYTES,
): DiskSpaceCheck {
  if (databasePath === ':memory:') return async () => undefined;
  return freeDiskSpaceCheck(dirname(databasePath), minBytes);
}

function mebibytes(bytes: number): string {
  return (bytes / MEBIBYTE).toFixed(bytes < 10 * MEBIBYTE ? 1 : 0);
}
