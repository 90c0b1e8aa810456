import type { Redis } from 'ioredis';
import { startRedis, waitUntil, type RunningService } from '@docuthinker/testing';
import {
  closeRedisClient,
  createRedisClient,
  NO_TOKEN_VALID_FROM,
  RedisTokensValidFrom,
  RepublishedTokensValidFrom,
  tokensValidFromKey,
  waitForRedis,
} from '../src/rate-limits/redis';

const TTL_SECONDS = 960;

/** The backend's record, on a real redis-server that restarts without its data. */
describe('RepublishedTokensValidFrom', () => {
  let redis: RunningService;
  let writer: Redis;
  let reader: Redis;
  let nowMs = Date.now();
  let record: RepublishedTokensValidFrom;
  const failures: number[] = [];

  const restartRedisEmpty = async () => {
    const { port } = redis;
    await redis.stop();
    redis = await startRedis({ port });
  };
  const readBack = (userId: string) => new RedisTokensValidFrom(reader).read(userId);
  const writtenAgain = (userId: string) =>
    waitUntil(
      `${userId}'s revocation written again`,
      async () => (await readBack(userId)) !== undefined,
    );

  beforeAll(async () => {
    redis = await startRedis();
    writer = createRedisClient(redis.url);
    record = new RepublishedTokensValidFrom(writer, {
      now: () => nowMs,
      onRepublishFailed: (_error, users) => failures.push(users),
      retryBaseMs: 50,
    });
    expect(await waitForRedis(writer, 5000)).toBe(true);
    reader = createRedisClient(redis.url);
    expect(await waitForRedis(reader, 5000)).toBe(true);
  }, 60_000);
  afterAll(async () => {
    record?.close();
    if (writer) await closeRedisClient(writer);
    if (reader) await closeRedisClient(reader);
    await redis?.stop();
  });

  it('writes what it published again after Redis lost it, with the lifetime it has left', async () => {
    await record.raise('ada', 1_700_000_000, TTL_SECONDS);
    await record.refuseAll('bo', TTL_SECONDS);
    nowMs += 60_000;

    await restartRedisEmpty();

    await writtenAgain('ada');
    await writtenAgain('bo');
    expect(await readBack('ada')).toBe(1_700_000_000);
    expect(await readBack('bo')).toBe(NO_TOKEN_VALID_FROM);
    const ttl = await reader.ttl(tokensValidFromKey('ada'));
    expect(ttl).toBeGreaterThan(TTL_SECONDS - 70);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS - 60);
    expect(failures).toEqual([]);
  }, 30_000);

  it('makes a write that failed while Redis was down once it is back', async () => {
    const { port } = redis;
    await redis.stop();
    await expect(record.raise('cy', 1_700_000_100, TTL_SECONDS)).rejects.toThrow();

    redis = await startRedis({ port });

    await writtenAgain('cy');
    expect(await readBack('cy')).toBe(1_700_000_100);
  }, 30_000);

  it('keeps the higher second of two, and forgets a revocation once every token it refuses has expired', async () => {
    await record.raise('dee', 300, TTL_SECONDS);
    await record.raise('dee', 200, 10);
    await record.raise('eve', 400, 10);
    nowMs += 11_000;
    expect(record.remembered).toBe(4);

    await restartRedisEmpty();

    await writtenAgain('dee');
    await waitUntil('every revocation written again', async () => record.waiting === 0);
    expect(await readBack('dee')).toBe(300);
    expect(await readBack('eve')).toBeUndefined();
  }, 30_000);

  it('tries a write that Redis refused again while the connection stays up', async () => {
    failures.length = 0;
    // Out of memory: Redis answers every write with an error, and the connection stays.
    await reader.config('SET', 'maxmemory-policy', 'noeviction');
    await reader.config('SET', 'maxmemory', '1');
    try {
      await expect(record.raise('fay', 1_700_000_200, TTL_SECONDS)).rejects.toThrow(/OOM/);
      await waitUntil('a retry that fails too', async () => failures.length > 0);
      expect(failures[0]).toBe(1);
    } finally {
      await reader.config('SET', 'maxmemory', '0');
    }

    await writtenAgain('fay');
    expect(await readBack('fay')).toBe(1_700_000_200);
    await waitUntil('nothing left to write', async () => record.waiting === 0);
  }, 30_000);
});
