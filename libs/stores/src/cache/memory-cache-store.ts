import { LRUCache } from 'lru-cache';
import type { CacheStore } from '../ports/cache-store';
import { probeHealth, type HealthReport } from '../shared/health';

export interface MemoryCacheOptions {
  readonly maxEntries?: number;
  /** Upper bound on the JSON text held, in UTF-16 code units. */
  readonly maxSize?: number;
}

/**
 * The in-process cache: a bounded LRU. Values are kept as JSON text, like in
 * Redis, so a caller mutating what it read cannot change the cached value.
 */
export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, string>;

  constructor(options: MemoryCacheOptions = {}) {
    this.entries = new LRUCache<string, string>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxSize ?? 64 * 1024 * 1024,
      sizeCalculation: (value) => Math.max(1, value.length),
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.entries.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.entries.set(key, JSON.stringify(value), { ttl: Math.max(1, Math.round(ttlMs)) });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    const matching = [...this.entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of matching) this.entries.delete(key);
  }

  health(): Promise<HealthReport> {
    return probeHealth('memory', async () => undefined);
  }
}
