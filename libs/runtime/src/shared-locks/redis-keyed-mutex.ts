import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Mutex, TimeoutError } from 'redis-semaphore';
import { SharedLockBusyError } from './shared-lock-busy-error';

export interface RedisKeyedMutexOptions {
  /** Where the locks live in Redis, e.g. `docuthinker:index-write:`. */
  readonly keyPrefix: string;
  /**
   * How long a lock outlives a holder that stopped refreshing it (a replica
   * killed mid-write). The holder refreshes it well before, however long its
   * work takes.
   */
  readonly lockTimeoutMs?: number;
  /** How long a caller waits for another holder before SharedLockBusyError. */
  readonly acquireTimeoutMs?: number;
  /**
   * Told when Redis could not be asked: the work then runs without the shared
   * lock, as the rest of the service runs while Redis is unreachable. Once an
   * outage: not again until a lock has been taken since (a line per write
   * flooded the log, found in review).
   */
  readonly onUnreachable?: (error: Error) => void;
  /** Told when a holder could not refresh its lock: another may take it before the work ends. */
  readonly onLockLost?: (error: Error) => void;
}

const DEFAULT_LOCK_TIMEOUT_MS = 15_000;
/**
 * Longer than a lock lives without its holder, so that a waiter outlasts a
 * holder that died; well inside the backend's 60 s deadline for an index call.
 */
const DEFAULT_ACQUIRE_TIMEOUT_MS = 20_000;
/** How often a waiting caller asks again: one short SET each time. */
const RETRY_INTERVAL_MS = 25;

/**
 * redis-semaphore's mutex, whose refresh timer does not throw: the library
 * lets a refresh that Redis failed reject inside its timer, an unhandled
 * rejection that ends the process. A refresh that failed counts as one
 * that found the lock gone: the library stops refreshing and says the lock
 * was lost (onLockLost), and the lock is released or expires on its own.
 */
class RefreshSafeMutex extends Mutex {
  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh();
    } catch {
      return false;
    }
  }
}

export interface HoldingOptions {
  readonly signal?: AbortSignal;
  /**
   * When the caller began to wait (Date.now()), e.g. before a queue of its
   * own: the wait for the lock ends acquireTimeoutMs after it, not after the
   * queue, so a request queued behind others still answers in time.
   */
  readonly waitingSince?: number;
}

/**
 * Mutual exclusion by key across every process that shares one Redis
 * (redis-semaphore's Mutex: SET NX PX, refreshed while held, released by
 * its holder only). Keys are hashed, so any string names a lock.
 */
export class RedisKeyedMutex {
  private outageReported = false;

  constructor(
    private readonly client: Redis,
    private readonly options: RedisKeyedMutexOptions,
  ) {}

  /** Runs `work` while holding the lock named `key`; settles as `work` does. */
  async holding<T>(key: string, work: () => Promise<T>, options: HoldingOptions = {}): Promise<T> {
    const { signal, waitingSince = Date.now() } = options;
    const patience = this.options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
    const redisKey = this.redisKey(key);
    const lockTimeout = this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const mutex = new RefreshSafeMutex(this.client, redisKey, {
      lockTimeout,
      // Three refreshes a lifetime, not the library's one at 0.8 of it: a
      // holder whose event loop stalls for a fifth of the lifetime kept
      // working after Redis had let another replica in (found on a loaded CI machine).
      refreshInterval: lockTimeout / 3,
      // At least one attempt, however long the caller has waited already.
      acquireTimeout: Math.max(1, waitingSince + patience - Date.now()),
      retryInterval: RETRY_INTERVAL_MS,
      // The library's default throws from a timer: an uncaught exception.
      onLockLost: (error) => this.options.onLockLost?.(error),
    });
    try {
      await mutex.acquire(signal);
      this.outageReported = false;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof TimeoutError) throw new SharedLockBusyError(patience);
      if (!this.outageReported) {
        this.outageReported = true;
        this.options.onUnreachable?.(error as Error);
      }
    }
    try {
      return await work();
    } finally {
      await this.release(mutex, redisKey);
    }
  }

  /**
   * Releases the lock if it is still this caller's. Also when the caller does
   * not know it holds it: a SET that timed out on the client may still have
   * run in Redis (a stall under a second), and a refresh that timed out may
   * have lost a lock Redis still holds; left, either blocked the document
   * on every replica until it expired (found in review). The library's
   * release deletes the key only while it holds this caller's identifier.
   */
  private async release(mutex: Mutex, redisKey: string): Promise<void> {
    const holder = mutex.isAcquired
      ? mutex
      : new Mutex(this.client, redisKey, {
          identifier: mutex.identifier,
          acquiredExternally: true,
        });
    // A release Redis does not take leaves the lock to expire (lockTimeout).
    await holder.release().catch(() => undefined);
  }

  private redisKey(key: string): string {
    return `${this.options.keyPrefix}${createHash('sha256').update(key).digest('hex')}`;
  }
}
