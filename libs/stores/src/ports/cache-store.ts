import type { HealthCheckable } from '../shared/health';

/**
 * A best-effort cache of JSON values. No method throws because the backing
 * service is unavailable: reads then miss and writes are dropped.
 */
export interface CacheStore extends HealthCheckable {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * False when the write was dropped (the backing service unavailable):
   * callers for whom a lost write matters, such as an invalidation, can try
   * again.
   */
  set(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Drops every entry whose key starts with `prefix` (e.g. `doc:<ownerId>:`).
   * False when it could not finish (the backing service unavailable), so an
   * erasure, whose leftovers would quote erased text for a day, can try again.
   */
  deleteByPrefix(prefix: string): Promise<boolean>;
}
