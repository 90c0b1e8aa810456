import {
  noPendingJobs,
  type ClaimedOutboxJob,
  type OutboxClaimOptions,
  type OutboxEnqueueRequest,
  type OutboxFailure,
  type OutboxJob,
  type OutboxJobKind,
  type OutboxPendingCounts,
  type OutboxStore,
} from '../ports/outbox-store';
import type { Clock } from '../shared/clock';
import { probeHealth, type HealthReport } from '../shared/health';
import { newId } from '../shared/ids';
import type { EmbeddedDatabase } from './libsql-database';
import { prepared } from './libsql-statements';

interface OutboxRow {
  id: string;
  kind: OutboxJobKind;
  owner_id: string;
  document_id: string;
  file_key: string | null;
  attempts: number;
  available_at: number;
  lease_token: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: number;
}

function toJob(row: OutboxRow): OutboxJob {
  return {
    id: row.id,
    kind: row.kind,
    ownerId: row.owner_id,
    documentId: row.document_id,
    ...(row.file_key !== null && { fileKey: row.file_key }),
    attempts: row.attempts,
    availableAt: new Date(row.available_at),
    ...(row.last_error !== null && { lastError: row.last_error }),
    createdAt: new Date(row.created_at),
  };
}

/**
 * The oldest due job whose owner and document have no earlier job pending;
 * `extraCondition`, an `AND …` SQL fragment over `due`, narrows it.
 */
const nextDue = (extraCondition = '') => `
  SELECT due.seq FROM outbox_jobs AS due
   WHERE due.available_at <= ?3 ${extraCondition}
     AND (due.lease_expires_at IS NULL OR due.lease_expires_at <= ?3)
     AND NOT EXISTS (SELECT 1 FROM outbox_jobs AS earlier
                      WHERE earlier.document_id = due.document_id
                        AND earlier.owner_id = due.owner_id
                        AND earlier.seq < due.seq)
   ORDER BY due.available_at, due.seq LIMIT 1`;

/**
 * Leases the next due removal (delete or purge) if there is one, else the
 * next due job of any kind (COALESCE reads its second query only when the
 * first found none). Exported for the query-plan test: the "earlier job"
 * check must be an index lookup on (document_id, owner_id, seq), not a scan
 * of every purge, and the removals are found through their own index.
 */
export const CLAIM_NEXT_DUE_JOB = `
  UPDATE outbox_jobs
     SET attempts = attempts + 1, lease_token = ?1, lease_expires_at = ?2
   WHERE seq = COALESCE((${nextDue("AND due.kind <> 'index'")}), (${nextDue()}))
  RETURNING *`;

/**
 * Inserts a job through `db`; the document store calls this inside its own
 * transaction so that the document write and the job commit together.
 */
export function insertOutboxJob(
  db: EmbeddedDatabase,
  now: Date,
  request: OutboxEnqueueRequest,
): OutboxJob {
  const availableAt = request.notBefore ?? now;
  const job: OutboxJob = {
    id: newId(),
    kind: request.kind,
    ownerId: request.ownerId,
    documentId: request.documentId,
    ...(request.fileKey !== undefined && { fileKey: request.fileKey }),
    attempts: 0,
    availableAt,
    createdAt: now,
  };
  prepared(
    db,
    `INSERT INTO outbox_jobs (id, kind, owner_id, document_id, file_key, attempts, available_at, created_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
  ).run(
    job.id,
    job.kind,
    job.ownerId,
    job.documentId,
    job.fileKey ?? null,
    availableAt.getTime(),
    now.getTime(),
  );
  return job;
}

/**
 * Queues an index job for a document, unless the document's latest job is an
 * index job no worker has taken yet: that job reads the document when it
 * runs, so it indexes this write too. Renames in a row then cost one
 * re-index, not one each (found in an exploratory test: thirty renames of a
 * 2 MB document queued thirty re-indexes of the same text, and every other
 * owner's jobs waited 50 s behind them). A job already taken may have read
 * the document before this write, so one more is queued after it.
 */
export function queueIndexJob(
  db: EmbeddedDatabase,
  now: Date,
  ownerId: string,
  documentId: string,
): void {
  const latest = prepared(
    db,
    `SELECT kind, lease_token FROM outbox_jobs
      WHERE document_id = ? AND owner_id = ? ORDER BY seq DESC LIMIT 1`,
  ).get(documentId, ownerId) as Pick<OutboxRow, 'kind' | 'lease_token'> | undefined;
  if (latest?.kind === 'index' && latest.lease_token === null) return;
  insertOutboxJob(db, now, { kind: 'index', ownerId, documentId });
}

export class LibsqlOutboxStore implements OutboxStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly clock: Clock,
  ) {}

  async enqueue(request: OutboxEnqueueRequest): Promise<OutboxJob> {
    return insertOutboxJob(this.db, this.clock(), request);
  }

  async claim(options: OutboxClaimOptions): Promise<ClaimedOutboxJob | null> {
    const now = this.clock().getTime();
    const leaseToken = newId();
    const leaseExpiresAt = now + options.leaseMs;
    // One statement: SQLite's write lock makes select-and-lease atomic, even
    // across processes sharing the file. Removals go first: they are quick,
    // and until one runs, a deleted document (or an erased account) stays
    // searchable at the gateway; behind another owner's burst of large
    // uploads that was half a minute (found in an exploratory test).
    // A job waits while an earlier job of its document (of its owner, for
    // purges) is pending (leased, or waiting for a retry): an index job and
    // the delete job after it, run at once by two workers, could leave the
    // deleted document's chunks in the index. So a delete never overtakes
    // its own document's index job.
    const row = prepared(this.db, CLAIM_NEXT_DUE_JOB).get(leaseToken, leaseExpiresAt, now) as
      OutboxRow | undefined;
    if (!row) return null;
    return { ...toJob(row), leaseToken, leaseExpiresAt: new Date(leaseExpiresAt) };
  }

  async complete(job: ClaimedOutboxJob): Promise<boolean> {
    const result = prepared(
      this.db,
      'DELETE FROM outbox_jobs WHERE id = ? AND lease_token = ?',
    ).run(job.id, job.leaseToken);
    return result.changes > 0;
  }

  async extendLease(job: ClaimedOutboxJob, leaseMs: number): Promise<boolean> {
    const result = prepared(
      this.db,
      'UPDATE outbox_jobs SET lease_expires_at = ? WHERE id = ? AND lease_token = ?',
    ).run(this.clock().getTime() + leaseMs, job.id, job.leaseToken);
    return result.changes > 0;
  }

  async fail(job: ClaimedOutboxJob, failure: OutboxFailure): Promise<boolean> {
    const result = prepared(
      this.db,
      `UPDATE outbox_jobs
            SET lease_token = NULL, lease_expires_at = NULL, available_at = ?, last_error = ?
          WHERE id = ? AND lease_token = ?`,
    ).run(failure.retryAt.getTime(), failure.error, job.id, job.leaseToken);
    return result.changes > 0;
  }

  async retryWaitingNow(): Promise<number> {
    const now = this.clock().getTime();
    const result = prepared(
      this.db,
      'UPDATE outbox_jobs SET available_at = ? WHERE available_at > ? AND attempts > 0 AND lease_token IS NULL',
    ).run(now, now);
    return result.changes;
  }

  async pendingCounts(): Promise<OutboxPendingCounts> {
    const rows = prepared(
      this.db,
      'SELECT kind, COUNT(*) AS count FROM outbox_jobs GROUP BY kind',
    ).all() as { kind: OutboxJobKind; count: number }[];
    const counts = noPendingJobs();
    for (const row of rows) counts[row.kind] = row.count;
    return counts;
  }

  health(): Promise<HealthReport> {
    return probeHealth('libsql', async () => prepared(this.db, 'SELECT 1').get());
  }
}
