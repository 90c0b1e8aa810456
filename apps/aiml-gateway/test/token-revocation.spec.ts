import type { Redis } from 'ioredis';
import { GATEWAY_API } from '@docuthinker/contracts';
import {
  closeRedisClient,
  createRedisClient,
  RedisTokensValidFrom,
  waitForRedis,
} from '@docuthinker/runtime/redis';
import { startRedis, type RunningService } from '@docuthinker/testing';
import { REVOCATION_FRESH_MS } from '../src/auth/token-revocation-check';
import { startTestGateway, userToken, type TestGateway } from './support/test-gateway';

/** As the backend publishes them: an access token's 15 minutes and a minute more. */
const TTL_SECONDS = 960;
const OUTAGE_WARNING =
  /^the token revocation record \(redis, or the data directory's file\) does not answer/;
const BACK_NOTICE = /^the token revocation record answers again/;

/**
 * The gateway reads the revocations the backend publishes in the Redis both
 * share (a real redis-server here), on a clock the test moves past the
 * freshness bound instead of waiting for it.
 */
describe('token revocations at the gateway (real redis-server)', () => {
  let redis: RunningService;
  const clients: Redis[] = [];
  /** The backend's side: it raises a user's second on a password change or deletion. */
  let published: RedisTokensValidFrom;
  let backendClient: Redis;
  let gateway: TestGateway;
  let clockMs = Date.now();
  const nowSeconds = Math.floor(clockMs / 1000);

  const connect = async () => {
    const client = createRedisClient(redis.url);
    clients.push(client);
    expect(await waitForRedis(client, 10_000)).toBe(true);
    return client;
  };

  beforeAll(async () => {
    redis = await startRedis();
    backendClient = await connect();
    published = new RedisTokensValidFrom(backendClient);
    gateway = await startTestGateway({
      captureLogs: true,
      tokenRevocations: {
        source: new RedisTokensValidFrom(await connect()),
        now: () => clockMs,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await Promise.all(clients.map((client) => closeRedisClient(client)));
    await redis?.stop();
  });

  /** A lexical search: a user route that calls no model, so no AI call limit is involved. */
  const search = (token: string) =>
    gateway.app.inject({
      method: 'POST',
      url: GATEWAY_API.search,
      headers: { authorization: `Bearer ${token}` },
      payload: { query: 'lamps', mode: 'lexical' },
    });
  const statusOf = async (token: string) => (await search(token)).statusCode;
  const logged = (pattern: RegExp) => gateway.logs().filter((line) => pattern.test(line.msg));

  it('refuses a token issued before the second the backend published, once the bound has passed', async () => {
    const stolen = await userToken('uma', { issuedAt: nowSeconds - 60 });
    expect(await statusOf(stolen)).toBe(200);

    await published.raise('uma', nowSeconds, TTL_SECONDS);
    // The value read for the last request is used for REVOCATION_FRESH_MS,
    // counted from that read: no longer.
    clockMs += REVOCATION_FRESH_MS - 1;
    expect(await statusOf(stolen)).toBe(200);
    clockMs += 1;
    const refused = await search(stolen);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer realm="docuthinker", error="invalid_token"',
    );
    expect(refused.json()).toEqual(
      expect.objectContaining({ code: 'DT_ERR_UNAUTHENTICATED', status: 401 }),
    );
    // Remembered as refused: the next request is refused without a read.
    expect(await statusOf(stolen)).toBe(401);

    // A token issued in the second of the change or after it works; another user is untouched.
    expect(await statusOf(await userToken('uma', { issuedAt: nowSeconds }))).toBe(200);
    expect(await statusOf(await userToken('uma', { issuedAt: nowSeconds + 1 }))).toBe(200);
    expect(await statusOf(await userToken('ulf', { issuedAt: nowSeconds - 60 }))).toBe(200);
  });

  it("refuses every token of a deleted account, the first time it sees the account's value", async () => {
    await published.refuseAll('vic', TTL_SECONDS);
    expect(await statusOf(await userToken('vic', { issuedAt: nowSeconds - 60 }))).toBe(401);
    expect(await statusOf(await userToken('vic', { issuedAt: nowSeconds + 3600 }))).toBe(401);
  });

  it('costs one Redis read per user and bound, shared by the requests that arrive together', async () => {
    const token = await userToken('wren');
    /** GETs Redis has answered so far: only the gateway reads this way here. */
    const gets = async () => {
      const info = await backendClient.info('commandstats');
      return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    const before = await gets();
    const together = await Promise.all(Array.from({ length: 5 }, () => statusOf(token)));
    expect(together).toEqual([200, 200, 200, 200, 200]);
    for (let request = 0; request < 5; request += 1) expect(await statusOf(token)).toBe(200);
    expect((await gets()) - before).toBe(1);
  });

  it('serves on signature checks alone while Redis is down, says so once, and honours revocations again when it is back', async () => {
    const revokedBefore = await userToken('xia', { issuedAt: nowSeconds - 60 });
    await published.raise('xia', nowSeconds, TTL_SECONDS);
    clockMs += REVOCATION_FRESH_MS;
    expect(await statusOf(revokedBefore)).toBe(401);
    const yan = await userToken('yan', { issuedAt: nowSeconds });
    const zoe = await userToken('zoe', { issuedAt: nowSeconds });

    await redis.stop();
    // Several bounds pass, and each user's value is read again (and fails) in each.
    for (let bound = 0; bound < 3; bound += 1) {
      clockMs += REVOCATION_FRESH_MS;
      expect(await statusOf(yan)).toBe(200);
      expect(await statusOf(zoe)).toBe(200);
      expect(await statusOf(yan)).toBe(200);
      // What was read before the outage still holds.
      expect(await statusOf(revokedBefore)).toBe(401);
    }
    expect(logged(OUTAGE_WARNING)).toEqual([expect.objectContaining({ level: 40 })]);
    expect(logged(BACK_NOTICE)).toEqual([]);

    redis = await startRedis({ port: redis.port });
    for (const client of clients) expect(await waitForRedis(client, 10_000)).toBe(true);
    await published.raise('yan', nowSeconds + 1, TTL_SECONDS);
    clockMs += REVOCATION_FRESH_MS;
    expect(await statusOf(yan)).toBe(401);
    expect(await statusOf(zoe)).toBe(200);
    expect(logged(OUTAGE_WARNING)).toHaveLength(1);
    expect(logged(BACK_NOTICE)).toEqual([expect.objectContaining({ level: 30 })]);
  }, 60_000);
});
