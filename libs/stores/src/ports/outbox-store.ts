import type { HealthCheckable } from '../shared/health';

/**
 * `index` and `delete` are about one document; `purge` removes everything an
 * owner has indexed at the gateway (account erasure), and has no document.
 */
export const OUTBOX_JOB_KINDS = ['index', 'delete', 'purge'] as const;
export type OutboxJobKind = (typeof OUTBOX_JOB_KINDS)[number];

export interface OutboxJob {
  readonly id: string;
  readonly kind: OutboxJobKind;
  readonly ownerId: string;
  /** Empty on `purge` jobs, which are about the whole owner. */
  readonly documentId: string;
  /** Set on delete jobs so the worker can remove the original file as well. */
  readonly fileKey?: string;
  /** Claims so far, including the current one. */
  readonly attempts: number;
  readonly availableAt: Date;
  readonly lastError?: string;
  readonly createdAt: Date;
}

/** A job leased to one worker until `leaseExpiresAt`; afterwards anyone may claim it again. */
export interface ClaimedOutboxJob extends OutboxJob {
  readonly leaseToken: string;
  readonly leaseExpiresAt: Date;
}

export interface OutboxClaimOptions {
  /** How long the worker may hold the job before it is considered crashed. */
  readonly leaseMs: number;
}

export interface OutboxFailure {
  readonly error: string;
  /** When the job becomes claimable again (see `retryDelayMs`). */
  readonly retryAt: Date;
}

export type OutboxPendingCounts = Readonly<Record<OutboxJobKind, number>>;

export interface OutboxEnqueueRequest {
  readonly kind: OutboxJobKind;
  readonly ownerId: string;
  /** Empty for a `purge` job. */
  readonly documentId: string;
  readonly fileKey?: string;
  /** Not claimed before this moment; now by default. */
  readonly notBefore?: Date;
}

/** What `pendingCounts` starts from: every kind, none pending. */
export function noPendingJobs(): Record<OutboxJobKind, number> {
  return Object.fromEntries(OUTBOX_JOB_KINDS.map((kind) => [kind, 0])) as Record<
    OutboxJobKind,
    number
  >;
}

/**
 * The durable queue of index/delete jobs for the AI/ML gateway. Jobs that go
 * with a document write are enqueued by the `DocumentStore` in the same
 * atomic write; `enqueue` is for jobs that stand alone.
 */
export interface OutboxStore extends HealthCheckable {
  enqueue(request: OutboxEnqueueRequest): Promise<OutboxJob>;
  /**
   * The oldest due job whose lease is free or expired, leased to the caller;
   * null when none. A job waits while an earlier job with the same owner and
   * document is pending, so one document's jobs (and one owner's purges) run
   * in the order they were written.
   */
  claim(options: OutboxClaimOptions): Promise<ClaimedOutboxJob | null>;
  /** Removes the job. False when the lease was lost (expired and claimed by someone else). */
  complete(job: ClaimedOutboxJob): Promise<boolean>;
  /**
   * Moves the lease's expiry to now + `leaseMs`, for a worker still busy with
   * the job: leases can then be short, so a crashed worker's job is picked
   * up again soon. False when the lease was lost.
   */
  extendLease(job: ClaimedOutboxJob, leaseMs: number): Promise<boolean>;
  /** Releases the lease and schedules the next attempt. False when the lease was lost. */
  fail(job: ClaimedOutboxJob, failure: OutboxFailure): Promise<boolean>;
  /**
   * Makes every job waiting out its backoff after a failed attempt due now
   * (a leased one is left to its worker, and one written to wait, such as an
   * erasure's delayed purge, keeps its time); how many. For when what they
   * failed on has come back: their backoff, up to minutes, would otherwise
   * keep a deleted document searchable that long after an outage.
   */
  retryWaitingNow(): Promise<number>;
  /** Jobs not yet completed, by kind (due, waiting for a retry, or leased). */
  pendingCounts(): Promise<OutboxPendingCounts>;
}
