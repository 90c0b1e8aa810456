import type { Redis } from 'ioredis';
import { NO_TOKEN_VALID_FROM, RedisTokensValidFrom } from './redis-tokens-valid-from';

interface Published {
  readonly validFromSeconds: number;
  readonly expiresAtMs: number;
}

export interface RepublishedTokensValidFromOptions {
  /** Told when writing the remembered revocations again fails; the next reconnect tries again. */
  readonly onRepublishFailed?: (error: Error, users: number) => void;
  /** Milliseconds; tests move it past a revocation's lifetime. */
  readonly now?: () => number;
}

/**
 * The tokens-valid-from record on Redis, written again from this process's
 * memory whenever its connection is (re)established. A revocation is
 * published once, and the gateway refuses a revoked token only while Redis
 * holds it: a Redis that restarted without its data (the seed runs it in
 * memory only; a failover can lose the last writes) forgot it, and the gateway
 * let the token through again until it expired; one that was down when the
 * revocation was made never had it. So each revocation is remembered here
 * for as long as it lives in Redis, and every `ready` of the client writes
 * the unexpired ones again, with what is left of their lifetime. Writing is
 * safe to repeat: the record only ever raises a user's second.
 *
 * What stays: a replica that restarts forgets what it published, so a Redis
 * that loses its data while that replica is down loses those revocations
 * (the backend itself still refuses the tokens: LiveAccounts reads the
 * account).
 */
export class RepublishedTokensValidFrom {
  /** Whether a write that failed is made again later: when the connection is back. */
  readonly retriesUnpublished = true;
  private readonly record: RedisTokensValidFrom;
  private readonly published = new Map<string, Published>();
  private readonly now: () => number;

  constructor(client: Redis, options: RepublishedTokensValidFromOptions = {}) {
    this.record = new RedisTokensValidFrom(client);
    this.now = options.now ?? Date.now;
    // ioredis says `ready` on the first connection and after every reconnect.
    client.on('ready', () => {
      this.republish().catch((error: Error) =>
        options.onRepublishFailed?.(error, this.published.size),
      );
    });
  }

  /** As RedisTokensValidFrom.raise; remembered first, so a write that fails is made on reconnect. */
  raise(userId: string, validFromSeconds: number, ttlSeconds: number): Promise<void> {
    this.remember(userId, Math.floor(validFromSeconds), ttlSeconds);
    return this.record.raise(userId, validFromSeconds, ttlSeconds);
  }

  /** As RedisTokensValidFrom.refuseAll, remembered the same way. */
  refuseAll(userId: string, ttlSeconds: number): Promise<void> {
    return this.raise(userId, NO_TOKEN_VALID_FROM, ttlSeconds);
  }

  /** Users whose revocation is still remembered (for tests and the log line). */
  get remembered(): number {
    this.forgetExpired();
    return this.published.size;
  }

  /** Writes every unexpired revocation again, each with the lifetime it has left. */
  async republish(): Promise<void> {
    this.forgetExpired();
    const now = this.now();
    await Promise.all(
      [...this.published].map(([userId, { validFromSeconds, expiresAtMs }]) =>
        this.record.raise(userId, validFromSeconds, (expiresAtMs - now) / 1000),
      ),
    );
  }

  private remember(userId: string, validFromSeconds: number, ttlSeconds: number): void {
    this.forgetExpired();
    const expiresAtMs = this.now() + ttlSeconds * 1000;
    const earlier = this.published.get(userId);
    // As the record does: the higher second stands, with the later expiry of the two.
    this.published.set(userId, {
      validFromSeconds: Math.max(validFromSeconds, earlier?.validFromSeconds ?? 0),
      expiresAtMs: Math.max(expiresAtMs, earlier?.expiresAtMs ?? 0),
    });
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [userId, { expiresAtMs }] of this.published) {
      if (expiresAtMs <= now) this.published.delete(userId);
    }
  }
}
