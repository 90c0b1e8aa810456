import Database from 'libsql';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { keepDeletedDataOffDisk } from '@docuthinker/runtime';

export type LibsqlDatabase = InstanceType<typeof Database>;

/**
 * Opens (creating if needed) a libSQL file with write-ahead logging; `:memory:` works too.
 * Removed chunks, titles and entities do not stay readable in its files
 * (see keepDeletedDataOffDisk).
 */
export function openLibsql(path: string): LibsqlDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 5000');
  return keepDeletedDataOffDisk(db, path);
}

export function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

/** `?, ?, ?` for an IN list. */
export function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}
