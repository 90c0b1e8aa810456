import type Database from 'libsql';
import type { EmbeddedDatabase } from './libsql-database';

/**
 * Preparing a statement costs about three times as much as running a
 * primary-key lookup with it (measured on libsql 0.5: ~40 µs against
 * ~12 µs), and the stores run the same few SQL texts on every request. So
 * each database keeps its statements, prepared once on first use. The SQL
 * texts are a fixed set (values are always bound, never interpolated), so
 * the map stays small; the bound is a guard against a future caller that
 * builds SQL from data.
 */
const MAX_STATEMENTS_PER_DATABASE = 256;

const statementsByDatabase = new WeakMap<EmbeddedDatabase, Map<string, Database.Statement>>();

/** The prepared statement for `sql` on `db`; synchronous use only (the libsql API is). */
export function prepared(db: EmbeddedDatabase, sql: string): Database.Statement {
  let statements = statementsByDatabase.get(db);
  if (!statements) {
    statements = new Map();
    statementsByDatabase.set(db, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size >= MAX_STATEMENTS_PER_DATABASE) statements.clear();
    statements.set(sql, statement);
  }
  return statement;
}
