import { ObjectId, type ClientSession, type Collection, type Db, type Filter } from 'mongodb';
import {
  noPendingJobs,
  OUTBOX_JOB_KINDS,
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
import { MONGO_COLLECTIONS } from './mongo-database';

/**
 * `_id` is an ObjectId because it grows with time within a process: sorting
 * by (availableAt, _id) keeps jobs due at the same moment first-in-first-out.
 */
export interface OutboxJobDocument {
  _id: ObjectId;
  kind: OutboxJobKind;
  ownerId: string;
  documentId: string;
  fileKey?: string;
  attempts: number;
  availableAt: Date;
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  lastError?: string;
  createdAt: Date;
}

function toJob(document: OutboxJobDocument): OutboxJob {
  return {
    id: document._id.toHexString(),
    kind: document.kind,
    ownerId: document.ownerId,
    documentId: document.documentId,
    ...(document.fileKey !== undefined && { fileKey: document.fileKey }),
    attempts: document.attempts,
    availableAt: document.availableAt,
    ...(document.lastError !== undefined && { lastError: document.lastError }),
    createdAt: document.createdAt,
  };
}

export function outboxCollection(db: Db): Collection<OutboxJobDocument> {
  return db.collection<OutboxJobDocument>(MONGO_COLLECTIONS.outboxJobs);
}

export function newOutboxJobDocument(now: Date, request: OutboxEnqueueRequest): OutboxJobDocument {
  return {
    _id: new ObjectId(),
    kind: request.kind,
    ownerId: request.ownerId,
    documentId: request.documentId,
    ...(request.fileKey !== undefined && { fileKey: request.fileKey }),
    attempts: 0,
    availableAt: request.notBefore ?? now,
    leaseToken: null,
    leaseExpiresAt: null,
    createdAt: now,
  };
}

/** Inserts jobs within the caller's transaction (the document store's). */
export async function insertOutboxJobs(
  db: Db,
  session: ClientSession,
  jobs: OutboxJobDocument[],
): Promise<void> {
  if (jobs.length > 0) await outboxCollection(db).insertMany(jobs, { session });
}

/**
 * Queues an index job for a document within the caller's transaction, unless
 * the document's latest job is an index job no worker has taken yet, which
 * reads the document when it runs (see the embedded store's queueIndexJob,
 * which keeps the same rule). Latest by (createdAt, _id), as claims order a
 * document's jobs; the by_owner_document index answers it.
 */
export async function queueIndexJob(
  db: Db,
  session: ClientSession,
  now: Date,
  ownerId: string,
  documentId: string,
): Promise<void> {
  const latest = await outboxCollection(db).findOne(
    { documentId, ownerId },
    { session, sort: { createdAt: -1, _id: -1 }, projection: { kind: 1, leaseToken: 1 } },
  );
  if (latest?.kind === 'index' && latest.leaseToken === null) return;
  await insertOutboxJobs(db, session, [
    newOutboxJobDocument(now, { kind: 'index', ownerId, documentId }),
  ]);
}

/** The kinds a claim takes before index jobs. */
const REMOVAL_KINDS = OUTBOX_JOB_KINDS.filter((kind) => kind !== 'index');

/** Due jobs read per round trip while a claim looks for one it may take. */
const CLAIM_BATCH = 50;

function jobObjectId(id: string): ObjectId | null {
  return ObjectId.isValid(id) ? new ObjectId(id) : null;
}

export class MongoOutboxStore implements OutboxStore {
  private readonly jobs: Collection<OutboxJobDocument>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.jobs = outboxCollection(db);
  }

  async enqueue(request: OutboxEnqueueRequest): Promise<OutboxJob> {
    const document = newOutboxJobDocument(this.clock(), request);
    await this.jobs.insertOne(document);
    return toJob(document);
  }

  async claim(options: OutboxClaimOptions): Promise<ClaimedOutboxJob | null> {
    const now = this.clock();
    const due = {
      availableAt: { $lte: now },
      $or: [{ leaseExpiresAt: null }, { leaseExpiresAt: { $lte: now } }],
    };
    // Removals first (see the embedded store's claim, which keeps the same
    // rule): until one runs, a deleted document or an erased account stays
    // searchable at the gateway, and they are quick.
    return (
      (await this.claimFirstOf({ ...due, kind: { $in: REMOVAL_KINDS } }, due, now, options)) ??
      (await this.claimFirstOf(due, due, now, options))
    );
  }

  /** Leases the oldest job matching `candidatesFilter` that no earlier job of its document blocks. */
  private async claimFirstOf(
    candidatesFilter: Filter<OutboxJobDocument>,
    due: Filter<OutboxJobDocument>,
    now: Date,
    options: OutboxClaimOptions,
  ): Promise<ClaimedOutboxJob | null> {
    // Every due job, oldest first, until one may be taken. A fixed window of
    // the oldest would stall for good once it filled with jobs blocked by
    // earlier ones waiting for a retry (due later, so outside the window):
    // documents written and then deleted during a gateway outage.
    const candidates = this.jobs.find(candidatesFilter, {
      sort: { availableAt: 1, _id: 1 },
      batchSize: CLAIM_BATCH,
      projection: { ownerId: 1, documentId: 1, createdAt: 1 },
    });
    // Owner and document pairs seen blocked: their later jobs are blocked too.
    const blocked = new Set<string>();
    try {
      for await (const candidate of candidates) {
        const scope = JSON.stringify([candidate.ownerId, candidate.documentId]);
        if (blocked.has(scope)) continue;
        // A job waits while an earlier job of its document (of its owner, for
        // purges) is pending (leased, or waiting for a retry): an index job
        // and the delete job after it, run at once by two workers, could
        // leave the deleted document's chunks in the index. Jobs are only
        // ever added after existing ones, so "no earlier job" cannot stop
        // being true before the lease below.
        if (await this.hasEarlierJob(candidate)) {
          blocked.add(scope);
          continue;
        }
        const leaseToken = newId();
        const leaseExpiresAt = new Date(now.getTime() + options.leaseMs);
        // findOneAndUpdate is atomic on one document: two workers never lease the same job.
        const document = await this.jobs.findOneAndUpdate(
          { _id: candidate._id, ...due },
          { $inc: { attempts: 1 }, $set: { leaseToken, leaseExpiresAt } },
          { returnDocument: 'after' },
        );
        if (document) return { ...toJob(document), leaseToken, leaseExpiresAt };
        // Another worker leased it between the two reads: try the next one.
      }
    } finally {
      await candidates.close();
    }
    return null;
  }

  private async hasEarlierJob(
    job: Pick<OutboxJobDocument, '_id' | 'ownerId' | 'documentId' | 'createdAt'>,
  ) {
    const earlier = await this.jobs.findOne(
      {
        documentId: job.documentId,
        ownerId: job.ownerId,
        $or: [
          { createdAt: { $lt: job.createdAt } },
          { createdAt: job.createdAt, _id: { $lt: job._id } },
        ],
      },
      { projection: { _id: 1 } },
    );
    return earlier !== null;
  }

  async complete(job: ClaimedOutboxJob): Promise<boolean> {
    const _id = jobObjectId(job.id);
    if (!_id) return false;
    const result = await this.jobs.deleteOne({ _id, leaseToken: job.leaseToken });
    return result.deletedCount > 0;
  }

  async extendLease(job: ClaimedOutboxJob, leaseMs: number): Promise<boolean> {
    const _id = jobObjectId(job.id);
    if (!_id) return false;
    const result = await this.jobs.updateOne(
      { _id, leaseToken: job.leaseToken },
      { $set: { leaseExpiresAt: new Date(this.clock().getTime() + leaseMs) } },
    );
    return result.matchedCount > 0;
  }

  async fail(job: ClaimedOutboxJob, failure: OutboxFailure): Promise<boolean> {
    const _id = jobObjectId(job.id);
    if (!_id) return false;
    const result = await this.jobs.updateOne(
      { _id, leaseToken: job.leaseToken },
      {
        $set: {
          leaseToken: null,
          leaseExpiresAt: null,
          availableAt: failure.retryAt,
          lastError: failure.error,
        },
      },
    );
    return result.matchedCount > 0;
  }

  async retryWaitingNow(): Promise<number> {
    const now = this.clock();
    const result = await this.jobs.updateMany(
      { availableAt: { $gt: now }, attempts: { $gt: 0 }, leaseToken: null },
      { $set: { availableAt: now } },
    );
    return result.modifiedCount;
  }

  async pendingCounts(): Promise<OutboxPendingCounts> {
    const rows = await this.jobs
      .aggregate<{ _id: OutboxJobKind; count: number }>([
        { $group: { _id: '$kind', count: { $sum: 1 } } },
      ])
      .toArray();
    const counts = noPendingJobs();
    for (const row of rows) counts[row._id] = row.count;
    return counts;
  }

  health(): Promise<HealthReport> {
    return probeHealth('mongodb', () => this.db.command({ ping: 1 }));
  }
}
