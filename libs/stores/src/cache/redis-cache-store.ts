import type { Redis } from 'ioredis';
import type { CacheStore } from '../ports/cache-store';
import { probeHealth, type HealthReport } from '../shared/health';

const SCAN_BATCH = 500;

/** Redis glob patterns treat `*?[]\` specially; a prefix must match itself only. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * The cache on Redis. Every failure (Redis down, timeout, unparsable value)
 * degrades to a miss or a dropped write: callers then compute the value
 * themselves, which is slower but correct.
 */
export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly client: Redis,
    /** Keeps cache keys apart from rate-limit keys and other tenants of the same Redis. */
    private readonly namespace = 'docuthinker:cache:',
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const raw = await this.client.get(this.namespace + key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    try {
      await this.client.set(
        this.namespace + key,
        JSON.stringify(value),
        'PX',
        Math.max(1, Math.round(ttlMs)),
      );
      return true;
    } catch {
      // Dropped: the next read misses and recomputes.
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.unlink(this.namespace + key);
    } catch {
      // An entry that could not be removed still expires with its TTL.
    }
  }

  async deleteByPrefix(prefix: string): Promise<boolean> {
    const pattern = `${escapeGlob(this.namespace + prefix)}*`;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        if (keys.length > 0) await this.client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      return true;
    } catch {
      // Leftovers expire with their TTL; the caller may try again sooner.
      return false;
    }
  }

  health(): Promise<HealthReport> {
    return probeHealth('redis', () => this.client.ping());
  }
}
