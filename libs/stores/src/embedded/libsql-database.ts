import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { keepDeletedDataOffDisk } from '@docuthinker/runtime';
import { migrateEmbeddedSchema } from './libsql-schema';

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

export type EmbeddedDatabase = Database.Database;

/**
 * Opens (creating if needed) the embedded database file in WAL mode: readers
 * do not block the writer, and a committed transaction survives a crash.
 * Deleted data does not stay readable in the files (an erased account's
 * e-mail, messages and documents): see keepDeletedDataOffDisk.
 */
export function openEmbeddedDatabase(file: string): EmbeddedDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  keepDeletedDataOffDisk(db, file);
  migrateEmbeddedSchema(db);
  return db;
}

/**
 * Runs `work` in one IMMEDIATE transaction: the write lock is taken up front,
 * so two processes cannot both read and then fail to upgrade to a write.
 * `work` must be synchronous (the libsql API is), which also keeps other
 * callers in this process from interleaving with it.
 */
export function inWriteTransaction<T>(db: EmbeddedDatabase, work: () => T): T {
  return db.transaction(work).immediate();
}

/** True for a UNIQUE/PRIMARY KEY violation on `table.column`. */
export function isUniqueViolation(error: unknown, tableColumn: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    String(code).startsWith('SQLITE_CONSTRAINT') &&
    typeof message === 'string' &&
    message.includes(tableColumn)
  );
}
