import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@docuthinker/runtime';
import {
  ownerFilePrefix,
  retryDelayMs,
  type ClaimedOutboxJob,
  type DocumentRecord,
  type Stores,
} from '@docuthinker/stores';
import type { GatewayCallContext, GatewayClient } from '../gateway/gateway-client';
import { GatewayRejectedError, GatewayUnavailableError } from '../gateway/gateway-errors';
import { titleIfVisible } from '../services/gateway-title';
import type { DocumentCache } from '../services/document-cache';
import { documentAiResultsPrefix, eraseOwnerCaches } from '../services/owner-cache-keys';

export interface OutboxWorkerOptions {
  /** How often an idle worker looks for due jobs (new jobs also wake it at once). */
  pollIntervalMs?: number;
  /**
   * A job whose lease is not extended for this long is considered abandoned
   * by a crashed worker; a live worker extends it every third of this while
   * it works, so a job is never taken from a worker that is merely slow.
   */
  leaseMs?: number;
  /** Backoff between attempts: full jitter in [0, min(max, base·2^(attempt-1))]. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * After this many failed attempts the document reads `failed`; retries go
   * on regardless. Attempts the gateway's unavailability failed (unreachable,
   * overloaded, its circuit open, a 5xx) allow four times as many: the
   * document is indexed once it is back, so it reads `pending` through an
   * outage, as the API promises.
   */
  attemptsBeforeFailed?: number;
}

export interface OutboxWorker {
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /**
   * The gateway answers again (its circuit closed): jobs waiting out their
   * backoff, up to minutes, run now (found in review: a document deleted
   * during an outage stayed searchable at the gateway for minutes after it).
   */
  gatewayRecovered(): void;
  /**
   * Stops taking jobs and waits for the one in hand, at most `graceMs`. A
   * job still running then (a gateway or S3 call that has not come back) is
   * left to its lease, no longer extended: another worker runs it again once
   * it lapses, as after a crash (every job is idempotent).
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Shutdown's share for the job in hand. An index call may take a minute and
 * a purge ten; ECS kills the task 30 s after SIGTERM, most of which the HTTP
 * drain may need, so the outbox does not wait out a slow call.
 */
const STOP_GRACE_MS = 3_000;

/** How many more attempts an outage may fail before a document reads `failed`. */
const OUTAGE_ATTEMPTS_FACTOR = 4;

/** How long the worker takes the gateway's word (501) that no remote provider writes summaries. */
const NO_REMOTE_SUMMARY_RECHECK_MS = 10 * 60_000;
/**
 * How long index jobs skip the summary after the gateway could not get one
 * (its providers down or hung: up to its 45 s deadline a call). The summary
 * is optional and each job waits for it: asked at every job, a hung
 * provider held every other user's deletes and purges behind it (found in
 * review: 90 s for one delete).
 */
const SUMMARY_UNAVAILABLE_PAUSE_MS = 2 * 60_000;

/** The gateway's name for its offline engine in a task's `provider`. */
const OFFLINE_PROVIDER = 'local';

const DEFAULTS: Required<OutboxWorkerOptions> = {
  pollIntervalMs: 2_000,
  // Short, because a crashed backend's job waits this long for another worker.
  leaseMs: 30_000,
  retryBaseMs: 1_000,
  retryMaxMs: 5 * 60_000,
  attemptsBeforeFailed: 5,
};

export type OutboxWorkerStores = Pick<
  Stores,
  'documents' | 'outbox' | 'files' | 'cache' | 'chatSessions' | 'users'
>;

/**
 * The request id a job's gateway calls carry, `outbox:<job id>`: the
 * gateway's log lines of the calls then name the job whose lines carry
 * `jobId` (found in review: each call had an id of its own, and an index
 * call could not be tied to its job).
 */
function callContextOf(job: ClaimedOutboxJob): GatewayCallContext {
  return { requestId: `outbox:${job.id}` };
}

/**
 * Replays the durable outbox against the gateway until each job is
 * confirmed: index jobs send the document's text and then mark it
 * `indexed` (and replace a fallback summary with the AI's), delete jobs
 * remove conversations, index entries and the original file, purge jobs everything an
 * erased account had indexed. A failed job is retried with
 * exponential backoff and jitter, so a gateway outage only delays indexing.
 */
export function startOutboxWorker(
  stores: OutboxWorkerStores,
  gateway: GatewayClient,
  cache: DocumentCache,
  logger: Logger,
  options: OutboxWorkerOptions = {},
): OutboxWorker {
  const settings = { ...DEFAULTS, ...options };
  let stopped = false;
  // Set when stop() gave up waiting: the job in hand is no longer leased by this worker.
  let leftToLease = false;
  let wakeUp: AbortController = new AbortController();
  // Until when index jobs skip asking for a provider's summary: the gateway
  // said it has no remote provider, or could not reach one.
  let noRemoteSummaryUntil = 0;

  async function indexDocument(job: ClaimedOutboxJob): Promise<void> {
    const document = await stores.documents.get(job.ownerId, job.documentId);
    if (!document) return; // deleted since: its delete job cleans up
    const context = callContextOf(job);
    await gateway.index(
      {
        ownerId: document.ownerId,
        documentId: document.id,
        title: document.title,
        text: document.text,
      },
      context,
    );
    // Only if no rename came in meanwhile: its own, newer job is still to run.
    const marked = await stores.documents.setIndexStatus(
      document.ownerId,
      document.id,
      'indexed',
      document.title,
    );
    if (!marked && !(await stores.documents.get(job.ownerId, job.documentId))) {
      // Deleted while the call ran. Its delete job may have run before the
      // call landed: when this worker lost its lease (a store it could not
      // reach to renew it), another took the job over, found the document
      // gone, and let the delete job go first (found in review: the text
      // stayed in the index for good). The index is cleared again.
      await gateway.removeFromIndex(job.ownerId, job.documentId, context);
      return;
    }
    if (document.summaryDegraded && performance.now() >= noRemoteSummaryUntil) {
      await replaceFallbackSummary(document, context);
    }
  }

  /**
   * Only a provider's summary replaces the upload's: the gateway's offline
   * engine extracts one as the upload did, and its pick is no better (found
   * in review: a PDF's lead paragraph was replaced by an XML sample from
   * page 12), so it is not asked to compute one. Indexing has succeeded
   * either way; on failure the upload's summary stays until a re-index.
   */
  async function replaceFallbackSummary(
    document: DocumentRecord,
    context: GatewayCallContext,
  ): Promise<void> {
    try {
      const answer = await gateway.runTask(
        'summary',
        { text: document.text, ...titleIfVisible(document.title), offline: false },
        context,
      );
      if (
        !answer.degraded &&
        answer.provider !== OFFLINE_PROVIDER &&
        typeof answer.output === 'string' &&
        answer.output.trim()
      ) {
        await stores.documents.update(document.ownerId, document.id, {
          summary: answer.output.trim(),
          summaryDegraded: false,
        });
      }
    } catch (error) {
      if (
        error instanceof GatewayRejectedError &&
        error.status === 501 &&
        error.code === 'DT_ERR_TASK_UNSUPPORTED'
      ) {
        // No remote provider writes summaries on this platform: not asked
        // again for a while (a gateway given a provider key is redeployed).
        noRemoteSummaryUntil = performance.now() + NO_REMOTE_SUMMARY_RECHECK_MS;
        return;
      }
      if (error instanceof GatewayUnavailableError) {
        noRemoteSummaryUntil = performance.now() + SUMMARY_UNAVAILABLE_PAUSE_MS;
      }
      logger.warn({ err: error, documentId: document.id }, 'AI summary not available yet');
    }
  }

  async function removeDocument(job: ClaimedOutboxJob): Promise<void> {
    const scope = { ownerId: job.ownerId, documentId: job.documentId };
    // The delete request removes them too, but that step is not in the
    // document's transaction: if it failed, they are removed here, retried
    // with the job (found in review: they stayed readable for 30 days, and the
    // user's retry of the delete answered 404 before reaching them).
    await stores.chatSessions.deleteForDocument(scope);
    // Each of the rest is tried whatever another's outage (found in review:
    // with the gateway down the original stayed for the whole outage), and
    // the job fails at the end if any did, to be retried: each is idempotent.
    const failed: string[] = [];
    if (job.fileKey) {
      await stores.files.delete(job.fileKey).catch((error: unknown) => {
        failed.push(`the original could not be removed: ${(error as Error).message}`);
      });
    }
    // AI results quote the document's text (a scan of the cache's keys, here off the request).
    if (!(await stores.cache.deleteByPrefix(documentAiResultsPrefix(job.ownerId, job.documentId))))
      failed.push("the cache could not be reached to remove the document's AI results");
    await gateway.removeFromIndex(job.ownerId, job.documentId, callContextOf(job));
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  const jobRunners: Record<ClaimedOutboxJob['kind'], (job: ClaimedOutboxJob) => Promise<void>> = {
    index: indexDocument,
    delete: removeDocument,
    purge: async (job) => {
      await gateway.removeOwnerFromIndex(job.ownerId, callContextOf(job));
      // The erasure's own removal of the files may have failed once the user
      // was gone (see eraseOwnedData); the job is retried until it holds.
      await stores.files.deletePrefix(ownerFilePrefix(job.ownerId));
      // The account is gone, and requests that were past authentication when
      // it went may have cached what they computed from its texts since
      // deleteAccount erased the owner's caches (an AI result kept a day, a
      // listing page), or that erasure met a cache out of reach: they go
      // again, and a cache still out of reach fails the job, which is retried
      // (found in review: it completed and the entries stayed a day).
      if (!(await eraseOwnerCaches(stores.cache, job.ownerId)))
        throw new Error("the cache could not be reached to erase the owner's entries");
    },
  };

  /** Keeps the job's lease alive while `work` runs (index calls may take a minute). */
  async function whileLeased(job: ClaimedOutboxJob, work: () => Promise<void>): Promise<void> {
    const renewal = setInterval(() => {
      if (leftToLease) {
        clearInterval(renewal);
        return;
      }
      stores.outbox.extendLease(job, settings.leaseMs).catch((error: unknown) => {
        // A store outage ends in a lost lease at worst: the job is then done twice, never lost.
        logger.warn({ err: error, jobId: job.id }, 'outbox lease not extended');
      });
    }, settings.leaseMs / 3);
    try {
      await work();
    } finally {
      clearInterval(renewal);
    }
  }

  /** `retry-later` when the job failed and stays in the outbox for another attempt. */
  async function handleJob(job: ClaimedOutboxJob): Promise<'settled' | 'retry-later'> {
    try {
      await whileLeased(job, () => jobRunners[job.kind](job));
      await stores.outbox.complete(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (job.kind === 'index' && error instanceof GatewayRejectedError) {
        // The gateway refuses this document as it is: retrying cannot help.
        logger.error({ documentId: job.documentId, error: message }, 'index job rejected');
        await stores.documents.setIndexStatus(job.ownerId, job.documentId, 'failed');
        await stores.outbox.complete(job);
      } else {
        // Not before the gateway said a retry has a chance (its Retry-After).
        const delay = Math.max(
          retryDelayMs(job.attempts, { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs }),
          error instanceof GatewayUnavailableError
            ? (error.gatewayRetryAfterSeconds ?? 0) * 1000
            : 0,
        );
        logger.warn(
          {
            jobId: job.id,
            kind: job.kind,
            attempts: job.attempts,
            retryInMs: delay,
            error: message,
          },
          'outbox job failed; will retry',
        );
        await stores.outbox.fail(job, { error: message, retryAt: new Date(Date.now() + delay) });
        // An outage says nothing about the document (found in review: a
        // two-minute outage left uploads reading `failed` for minutes after
        // it ended, indistinguishable from a document refused for good). The
        // gateway's 5xx and timeouts are "unavailable" too, which a document
        // that breaks the gateway also earns: those read `failed` after
        // OUTAGE_ATTEMPTS_FACTOR times the attempts (an hour and more of
        // backoff), not never.
        const allowed =
          error instanceof GatewayUnavailableError
            ? settings.attemptsBeforeFailed * OUTAGE_ATTEMPTS_FACTOR
            : settings.attemptsBeforeFailed;
        if (job.kind !== 'index' || job.attempts < allowed) {
          // Nothing a document listing shows has changed, so the owner's cached
          // pages stay: while the gateway is down, retries would otherwise
          // empty the cache every few seconds.
          return 'retry-later';
        }
        await stores.documents.setIndexStatus(job.ownerId, job.documentId, 'failed');
        await cache.forgetOwner(job.ownerId);
        return 'retry-later';
      }
    }
    // An erased owner's listing is not invalidated: forgetOwner would write a
    // key of the owner back for a day, after the purge (found in review).
    if (job.kind !== 'purge' && (await stores.users.findById(job.ownerId))) {
      await cache.forgetOwner(job.ownerId);
    }
    return 'settled';
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      let pause = true;
      try {
        const job = await stores.outbox.claim({ leaseMs: settings.leaseMs });
        // After a failed attempt the next due job would most likely fail the
        // same way (the gateway is down), so the worker waits a poll interval
        // (or a wake-up) instead of claiming and failing every due job in a
        // row: during an outage that was a stream of synchronous, fsync'd
        // writes on the event loop for no progress.
        if (job) pause = (await handleJob(job)) === 'retry-later';
      } catch (error) {
        logger.error({ err: error }, 'outbox worker could not reach the store');
      }
      if (pause && !stopped) {
        await sleep(settings.pollIntervalMs, undefined, { signal: wakeUp.signal }).catch(
          () => undefined,
        );
        wakeUp = new AbortController();
      }
    }
  }

  const running = loop();
  return {
    wake: () => wakeUp.abort(),
    gatewayRecovered: () => {
      stores.outbox.retryWaitingNow().then(
        (count) => {
          if (count > 0) logger.info({ jobs: count }, 'gateway back: waiting outbox jobs run now');
          wakeUp.abort();
        },
        (error: unknown) => {
          logger.warn({ err: error }, 'gateway back, but the outbox could not be reached');
        },
      );
    },
    stop: async (graceMs = STOP_GRACE_MS) => {
      stopped = true;
      wakeUp.abort();
      const finished = await Promise.race([
        running.then(() => true),
        sleep(graceMs, false, { ref: false }),
      ]);
      if (!finished) {
        leftToLease = true;
        logger.warn({ graceMs }, 'outbox job still running at shutdown; left to its lease');
      }
    },
  };
}
