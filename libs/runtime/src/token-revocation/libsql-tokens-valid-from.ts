import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import { keepDeletedDataOffDisk } from '../deleted-data-off-disk';
import { NO_TOKEN_VALID_FROM } from './redis-tokens-valid-from';

/** The record's file in the data directory both services share on one machine (`npm start`). */
export const EMBEDDED_TOKEN_REVOCATIONS_FILE = 'token-revocations.db';

export function embeddedTokenRevocationsPath(dataDir: string): string {
  return join(dataDir, EMBEDDED_TOKEN_REVOCATIONS_FILE);
}

/** How long a writer waits for the other service's lock before failing. */
const BUSY_TIMEOUT_MS = 2000;

/**
 * The tokens-valid-from record (see RedisTokensValidFrom) without Redis: a
 * libSQL file in the data directory, which the backend writes and the
 * gateway reads. Without it the gateway on embedded defaults let a revoked
 * token through for its whole lifetime (found in review: an erased
 * account's token still indexed documents at the gateway). It serves
 * processes on one machine only; replicas on several need REDIS_URL.
 *
 * Same semantics as the Redis record: a value is only ever raised while it
 * lives, and lives `ttlSeconds` from its write. Expired rows are removed by
 * the next write, so the file holds at most the revocations of one token
 * lifetime.
 */
export class LibsqlTokensValidFrom {
  private readonly db: Database.Database;
  private readonly now: () => number;
  // Prepared once: `read` runs on a user's first request and every few seconds after.
  private readonly deleteExpired: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(file: string, { now = Date.now }: { now?: () => number } = {}) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // It holds user ids: an erased account's goes from the files too.
    keepDeletedDataOffDisk(this.db, file);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS tokens_valid_from (
         user_id TEXT PRIMARY KEY,
         valid_from INTEGER NOT NULL,
         expires_at_ms INTEGER NOT NULL
       ) WITHOUT ROWID`,
    );
    this.now = now;
    this.deleteExpired = this.db.prepare('DELETE FROM tokens_valid_from WHERE expires_at_ms <= ?');
    // An existing (live) value that is as high stays, with its own expiry.
    this.upsert = this.db.prepare(
      `INSERT INTO tokens_valid_from (user_id, valid_from, expires_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET
         valid_from = excluded.valid_from, expires_at_ms = excluded.expires_at_ms
       WHERE excluded.valid_from > tokens_valid_from.valid_from`,
    );
    this.select = this.db.prepare(
      'SELECT valid_from FROM tokens_valid_from WHERE user_id = ? AND expires_at_ms > ?',
    );
  }

  /** Refuses the user's tokens issued before `validFromSeconds`, for `ttlSeconds`. */
  async raise(userId: string, validFromSeconds: number, ttlSeconds: number): Promise<void> {
    const nowMs = this.now();
    const expiresAtMs = nowMs + Math.max(1, Math.ceil(ttlSeconds)) * 1000;
    this.db.transaction(() => {
      this.deleteExpired.run(nowMs);
      this.upsert.run(userId, Math.floor(validFromSeconds), expiresAtMs);
    })();
  }

  /** Refuses every token of the user, for `ttlSeconds`. */
  refuseAll(userId: string, ttlSeconds: number): Promise<void> {
    return this.raise(userId, NO_TOKEN_VALID_FROM, ttlSeconds);
  }

  /** The second from which the user's tokens are valid; undefined when nothing live was revoked. */
  async read(userId: string): Promise<number | undefined> {
    const row = this.select.get(userId, this.now()) as { valid_from: number } | undefined;
    return row?.valid_from;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
