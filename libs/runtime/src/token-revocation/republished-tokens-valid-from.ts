import type { Redis } from 'ioredis';
import { BackoffRetry } from '../backoff-retry';
import { NO_TOKEN_VALID_FROM, RedisTokensValidFrom } from './redis-tokens-valid-from';

interface Published {
  readonly validFromSeconds: number;
  readonly expiresAtMs: number;
}

export interface RepublishedTokensValidFromOptions {
  /** Told when writing revocations again failed; `users` is how many are still unwritten. */
  readonly onRepublishFailed?: (error: Error, users: number) => void;
  /** Milliseconds; tests move it past a revocation's lifetime. */
  readonly now?: () => number;
  /** The first wait before unwritten revocations are tried again; it doubles up to 30 s. */
  readonly retryBaseMs?: number;
}

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** Expired revocations are dropped from memory at most this often (a scan of all of them). */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * The tokens-valid-from record on Redis, written again from this process's
 * memory until Redis holds it. A revocation is published once, and the
 * gateway refuses a revoked token only while Redis holds it: a Redis that
 * restarted without its data (the seed runs it in memory only; a failover
 * can lose the last writes) forgot it, and the gateway let the token through
 * again until it expired; a write that failed (Redis down, a command timeout,
 * an OOM or READONLY answer on a connection that stays up) never made it.
 *
 * So each revocation is remembered here for as long as it lives in Redis.
 * Every `ready` of the client (a new connection, likely to a Redis that lost
 * its data) writes all unexpired ones again, and a write that failed is tried
 * again on a backoff timer until it succeeds or its revocation expires. Each
 * write carries what is left of its lifetime. Writing is safe to repeat: the
 * record only ever raises a user's second.
 *
 * What stays: a replica that restarts forgets what it published, so a Redis
 * that loses its data while that replica is down loses those revocations
 * (the backend itself still refuses the tokens: LiveAccounts reads the
 * account).
 */
export class RepublishedTokensValidFrom {
  /** Whether a write that failed is made again later. */
  readonly retriesUnpublished = true;
  private readonly record: RedisTokensValidFrom;
  private readonly published = new Map<string, Published>();
  /** Users whose latest revocation Redis may not hold: a write failed, or is still owed. */
  private readonly unwritten = new Set<string>();
  private readonly now: () => number;
  private readonly onRepublishFailed: RepublishedTokensValidFromOptions['onRepublishFailed'];
  private readonly retry: BackoffRetry;
  private prunedAtMs = 0;

  constructor(client: Redis, options: RepublishedTokensValidFromOptions = {}) {
    this.record = new RedisTokensValidFrom(client);
    this.now = options.now ?? Date.now;
    this.retry = new BackoffRetry(
      () => {
        if (this.unwritten.size > 0) void this.writeUnwritten();
      },
      options.retryBaseMs ?? RETRY_BASE_MS,
      RETRY_MAX_MS,
    );
    this.onRepublishFailed = options.onRepublishFailed;
    // ioredis says `ready` on the first connection and after every reconnect.
    client.on('ready', () => {
      for (const userId of this.published.keys()) this.unwritten.add(userId);
      this.retry.reset();
      void this.writeUnwritten();
    });
  }

  /** As RedisTokensValidFrom.raise; remembered first, so a write that fails is made later. */
  async raise(userId: string, validFromSeconds: number, ttlSeconds: number): Promise<void> {
    this.remember(userId, Math.floor(validFromSeconds), ttlSeconds);
    try {
      await this.record.raise(userId, validFromSeconds, ttlSeconds);
    } catch (error) {
      this.unwritten.add(userId);
      this.retry.schedule();
      throw error;
    }
  }

  /** As RedisTokensValidFrom.refuseAll, remembered the same way. */
  refuseAll(userId: string, ttlSeconds: number): Promise<void> {
    return this.raise(userId, NO_TOKEN_VALID_FROM, ttlSeconds);
  }

  /** Users whose revocation is still remembered. */
  get remembered(): number {
    this.forgetExpired(true);
    return this.published.size;
  }

  /** Users whose revocation is waiting to be written again. */
  get waiting(): number {
    return this.unwritten.size;
  }

  /** Stops trying again; what is unwritten stays so. */
  close(): void {
    this.retry.close();
  }

  /**
   * Writes every unwritten revocation that has not expired, each with the
   * lifetime it has left; those that fail stay unwritten and are tried again.
   */
  private async writeUnwritten(): Promise<void> {
    this.forgetExpired(true);
    const now = this.now();
    // Each with the revocation it writes: one raised while the write is in
    // flight (and failed on its own) stays unwritten after this one succeeds.
    const writes = [...this.unwritten].map((userId) => ({
      userId,
      revocation: this.published.get(userId),
    }));
    const results = await Promise.allSettled(
      writes.map(({ userId, revocation }) =>
        // Expired meanwhile: nothing left to refuse.
        revocation
          ? this.record.raise(
              userId,
              revocation.validFromSeconds,
              (revocation.expiresAtMs - now) / 1000,
            )
          : Promise.resolve(),
      ),
    );
    let firstFailure: Error | undefined;
    results.forEach((result, index) => {
      const { userId, revocation } = writes[index] as (typeof writes)[number];
      if (result.status === 'rejected') firstFailure ??= result.reason as Error;
      else if (this.published.get(userId) === revocation) this.unwritten.delete(userId);
    });
    if (firstFailure) {
      this.onRepublishFailed?.(firstFailure, this.unwritten.size);
      this.retry.schedule();
    } else if (this.unwritten.size === 0) {
      this.retry.reset();
    }
  }

  private remember(userId: string, validFromSeconds: number, ttlSeconds: number): void {
    this.forgetExpired();
    const expiresAtMs = this.now() + ttlSeconds * 1000;
    const earlier = this.published.get(userId);
    // The higher second stands, as in the record, and is remembered for as
    // long as either revocation lives.
    this.published.set(userId, {
      validFromSeconds: Math.max(validFromSeconds, earlier?.validFromSeconds ?? 0),
      expiresAtMs: Math.max(expiresAtMs, earlier?.expiresAtMs ?? 0),
    });
  }

  /** Drops expired revocations: when asked to, else at most every PRUNE_INTERVAL_MS. */
  private forgetExpired(now = false): void {
    const at = this.now();
    if (!now && at - this.prunedAtMs < PRUNE_INTERVAL_MS) return;
    this.prunedAtMs = at;
    for (const [userId, { expiresAtMs }] of this.published) {
      if (expiresAtMs <= at) {
        this.published.delete(userId);
        this.unwritten.delete(userId);
      }
    }
  }
}
