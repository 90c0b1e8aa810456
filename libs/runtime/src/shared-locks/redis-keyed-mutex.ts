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
   * lock, as the rest of the service runs while Redis is unreachable.
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
 * was lost, and the lock expires in Redis on its own.
 */
class RefreshSafeMutex extends Mutex {
  constructor(
    client: Redis,
    key: string,
    options: ConstructorParameters<typeof Mutex>[2],
    private readonly onRefreshFailed: (error: Error) => void,
  ) {
    super(client, key, options);
  }

  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh();
    } catch (error) {
      this.onRefreshFailed(error as Error);
      return false;
    }
  }
}

/**
 * Mutual exclusion by key across every process that shares one Redis
 * (redis-semaphore's Mutex: SET NX PX, refreshed while held, released by
 * its holder only). Keys are hashed, so any string names a lock.
 */
export class RedisKeyedMutex {
  constructor(
    private readonly client: Redis,
    private readonly options: RedisKeyedMutexOptions,
  ) {}

  /** Runs `work` while holding the lock named `key`; settles as `work` does. */
  async holding<T>(key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const acquireTimeout = this.options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
    const mutex = new RefreshSafeMutex(
      this.client,
      this.redisKey(key),
      {
        lockTimeout: this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        acquireTimeout,
        retryInterval: RETRY_INTERVAL_MS,
        // The library's default throws from a timer: an uncaught exception.
        onLockLost: (error) => this.options.onLockLost?.(error),
      },
      (error) => this.options.onUnreachable?.(error),
    );
    try {
      await mutex.acquire(signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof TimeoutError) throw new SharedLockBusyError(acquireTimeout);
      this.options.onUnreachable?.(error as Error);
      return work();
    }
    try {
      return await work();
    } finally {
      // A release Redis did not take leaves the lock to expire (lockTimeout).
      await mutex.release().catch((error: Error) => this.options.onUnreachable?.(error));
    }
  }

  private redisKey(key: string): string {
    return `${this.options.keyPrefix}${createHash('sha256').update(key).digest('hex')}`;
  }
}
