import type { Redis } from 'ioredis';
import { findFreePort, startRedis, type RunningService } from '@docuthinker/testing';
import {
  closeRedisClient,
  createRedisClient,
  NO_TOKEN_VALID_FROM,
  RedisTokensValidFrom,
  tokensValidFromKey,
  waitForRedis,
} from '../src/rate-limits/redis';

const TTL_SECONDS = 960;

/** The record the backend writes and the gateway reads, on a real redis-server. */
describe('RedisTokensValidFrom', () => {
  let redis: RunningService;
  let client: Redis;
  let record: RedisTokensValidFrom;

  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
    expect(await waitForRedis(client, 5000)).toBe(true);
    record = new RedisTokensValidFrom(client);
  }, 60_000);
  afterAll(async () => {
    if (client) await closeRedisClient(client);
    await redis?.stop();
  });

  it('keeps the second under the user key, expiring a little after the tokens it refuses', async () => {
    await record.raise('ada', 1_700_000_000, TTL_SECONDS);
    expect(await record.read('ada')).toBe(1_700_000_000);
    expect(tokensValidFromKey('ada')).toBe('docuthinker:tokens-valid-from:ada');
    expect(await client.get('docuthinker:tokens-valid-from:ada')).toBe('1700000000');
    const ttl = await client.ttl(tokensValidFromKey('ada'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
    expect(await record.read('nobody')).toBeUndefined();
  });

  it('only ever raises the second, so crossing writes keep the later one', async () => {
    await record.raise('bo', 200, TTL_SECONDS);
    await record.raise('bo', 100, TTL_SECONDS);
    expect(await record.read('bo')).toBe(200);
    await record.raise('bo', 300, TTL_SECONDS);
    expect(await record.read('bo')).toBe(300);
  });

  it('refuses every token of a deleted account, and a password change published later does not undo it', async () => {
    await record.raise('cy', 300, TTL_SECONDS);
    await record.refuseAll('cy', TTL_SECONDS);
    expect(await record.read('cy')).toBe(NO_TOKEN_VALID_FROM);
    await record.raise('cy', Math.floor(Date.now() / 1000), TTL_SECONDS);
    expect(await record.read('cy')).toBe(NO_TOKEN_VALID_FROM);
    expect(NO_TOKEN_VALID_FROM).toBeGreaterThan(Math.floor(Date.now() / 1000) + 10 ** 9);
  });

  it('reads a value it did not write as nothing revoked', async () => {
    await client.set(tokensValidFromKey('dee'), 'not a number');
    expect(await record.read('dee')).toBeUndefined();
  });

  it('rejects while Redis cannot be reached, leaving the outage to its caller', async () => {
    const unreachable = createRedisClient(`redis://127.0.0.1:${await findFreePort()}`);
    const nowhere = new RedisTokensValidFrom(unreachable);
    await expect(nowhere.read('ada')).rejects.toThrow();
    await expect(nowhere.raise('ada', 1, TTL_SECONDS)).rejects.toThrow();
    await closeRedisClient(unreachable);
  });
});
