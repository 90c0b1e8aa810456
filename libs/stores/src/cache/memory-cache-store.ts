import { LRUCache } from 'lru-cache';
import type { CacheStore } from '../ports/cache-store';
import { probeHealth, type HealthReport } from '../shared/health';

export interface MemoryCacheOptions {
  readonly maxEntries?: number;
  /** Upper bound on the text held (strings and JSON text), in UTF-16 code units. */
  readonly maxSize?: number;
}

/**
 * A cached value: strings as they are (they are immutable, and a JSON round
 * trip gives back an equal string), anything else as its JSON text.
 */
type Entry = { readonly text: string } | { readonly json: string };

const entryLength = (entry: Entry) => ('text' in entry ? entry.text.length : entry.json.length);

/**
 * The in-process cache: a bounded LRU. Objects are kept as JSON text, like in
 * Redis, so a caller mutating what it read cannot change the cached value.
 * A string is kept as it is: the backend caches rendered response bodies,
 * and parsing a copy of one out of its JSON text on every hit was a
 * measurable share of serving it.
 */
export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, Entry>;

  constructor(options: MemoryCacheOptions = {}) {
    this.entries = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxSize ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entryLength(entry)),
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    return ('text' in entry ? entry.text : JSON.parse(entry.json)) as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.round(ttlMs));
    if (typeof value === 'string') {
      this.entries.set(key, { text: value }, { ttl });
      return true;
    }
    const json: string | undefined = JSON.stringify(value);
    // Like a value with no JSON form (undefined) always did: nothing is kept.
    if (json === undefined) this.entries.delete(key);
    else this.entries.set(key, { json }, { ttl });
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async deleteByPrefix(prefix: string): Promise<boolean> {
    const matching = [...this.entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of matching) this.entries.delete(key);
    return true;
  }

  health(): Promise<HealthReport> {
    return probeHealth('memory', async () => undefined);
  }
}
