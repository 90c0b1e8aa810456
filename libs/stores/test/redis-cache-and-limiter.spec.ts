import { startRedis, type RunningService } from '@docuthinker/testing';
import type { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores } from '../src/create-stores';
import {
  closeRedisClient,
  createRedisClient,
  RedisRateLimiterFactory,
  waitForRedis,
} from '@docuthinker/runtime/redis';
import { RedisCacheStore } from '../src/cache/redis-cache-store';
import { cacheStoreContract } from './contracts/cache-store.contract';
import { rateLimiterContract } from './contracts/rate-limiter.contract';

describe('Redis cache and rate limiter (real redis-server)', () => {
  let redis: RunningService;
  let client: Redis;
  let cache: RedisCacheStore;
  let limiters: RedisRateLimiterFactory;

  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
    expect(await waitForRedis(client, 5000)).toBe(true);
    cache = new RedisCacheStore(client);
    limiters = new RedisRateLimiterFactory(client);
  });

  afterAll(async () => {
    await closeRedisClient(client);
    await redis.stop();
  });

  cacheStoreContract(() => cache);
  rateLimiterContract(() => limiters);

  it('keeps its keys in Redis under the cache namespace, with the TTL set there', async () => {
    await cache.set('probe', { a: 1 }, 30_000);
    expect(await client.get('docuthinker:cache:probe')).toBe('{"a":1}');
    const ttl = await client.pttl('docuthinker:cache:probe');
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('shares rate-limit counts between limiters on different connections (replicas)', async () => {
    const otherClient = createRedisClient(redis.url);
    try {
      expect(await waitForRedis(otherClient, 5000)).toBe(true);
      const rule = { name: 'shared-login', points: 2, windowSeconds: 60 };
      const replicaA = limiters.create(rule);
      const replicaB = new RedisRateLimiterFactory(otherClient).create(rule);
      expect((await replicaA.consume('ip')).allowed).toBe(true);
      expect((await replicaB.consume('ip')).allowed).toBe(true);
      expect((await replicaA.consume('ip')).allowed).toBe(false);
    } finally {
      await closeRedisClient(otherClient);
    }
  });

  it("keeps a count under a digest of the caller's key, never the email or address itself", async () => {
    const limiter = limiters.create({ name: 'login-email', points: 5, windowSeconds: 60 });
    await limiter.consume('erased.owner@example.com');
    await limiter.consume('2001:db8:1:2::/64');
    const [, keys] = await client.scan(
      '0',
      'MATCH',
      'docuthinker:rate:login-email*',
      'COUNT',
      1000,
    );
    expect(keys).toHaveLength(2);
    expect(keys.join(' ')).not.toMatch(/example\.com|2001:db8/);
    // Still the same caller's count: a digest recognises it again.
    expect((await limiter.consume('erased.owner@example.com')).remaining).toBe(3);
  });

  it('treats a value it cannot parse as a miss', async () => {
    await client.set('docuthinker:cache:corrupt', '{not json', 'PX', 30_000);
    expect(await cache.get('corrupt')).toBeUndefined();
  });

  it('is what createStores picks when a Redis URL is set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'docuthinker-redis-stores-'));
    const stores = await createStores({ dataDir, redisUrl: redis.url });
    try {
      expect(stores.adapters).toEqual({ data: 'libsql', cache: 'redis', files: 'local' });
      await stores.cache.set('from-create-stores', 'yes', 30_000);
      expect(await client.get('docuthinker:cache:from-create-stores')).toBe('"yes"');
      expect((await stores.health()).components.cache).toMatchObject({
        ok: true,
        adapter: 'redis',
      });
    } finally {
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
