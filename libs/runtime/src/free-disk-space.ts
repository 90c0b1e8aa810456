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

/** Bytes the process may still write under a directory (statfs: blocks available to it). */
export type FreeBytesReader = (directory: string) => Promise<number>;

const readFreeBytes: FreeBytesReader = async (directory) => {
  const { bavail, bsize } = await statfs(directory);
  return bavail * bsize;
};

/**
 * A readiness check of the disk under `directory`: throws when the space
 * this process may use there is under `minBytes`. Once it has thrown, it
 * passes again only when half as much again is free (48 MiB for the default
 * 32): near the line, every small write and clean-up would otherwise flip
 * `/ready` between 503 and 200. The message names no path (readiness details
 * reach operators' dashboards, paths are for the logs).
 */
export function freeDiskSpaceCheck(
  directory: string,
  minBytes: number = MIN_FREE_DISK_BYTES,
  freeBytesOf: FreeBytesReader = readFreeBytes,
): DiskSpaceCheck {
  const readyAgainBytes = minBytes + Math.ceil(minBytes / 2);
  let nearlyFull = false;
  return async () => {
    const freeBytes = await freeBytesOf(directory);
    const neededBytes = nearlyFull ? readyAgainBytes : minBytes;
    nearlyFull = freeBytes < neededBytes;
    if (nearlyFull) {
      throw new Error(
        `disk nearly full: ${mebibytes(freeBytes)} MiB free, ${mebibytes(neededBytes)} MiB needed`,
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
