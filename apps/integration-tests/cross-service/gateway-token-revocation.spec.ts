import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { GATEWAY_API } from '@docuthinker/contracts';
import { createServiceLogger } from '@docuthinker/runtime';
import {
  closeRedisClient,
  createRedisClient,
  NO_TOKEN_VALID_FROM,
  RedisTokensValidFrom,
  tokensValidFromKey,
  waitForRedis,
} from '@docuthinker/runtime/redis';
import { createStores, type Stores } from '@docuthinker/stores';
import { startRedis, waitUntil, type RunningService } from '@docuthinker/testing';
/* eslint-disable @nx/enforce-module-boundaries -- this suite runs both apps in one process on one
   Redis, as production runs them behind the load balancer; it lives here so that neither app's
   project depends on the other (the apps' sources never import each other) */
import { REVOCATION_FRESH_MS } from '../../aiml-gateway/src/auth/token-revocation-check';
import {
  JWT_SECRET,
  startTestGateway,
  type TestGateway,
} from '../../aiml-gateway/test/support/test-gateway';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../backend/src/auth/access-tokens';
import { connectTokensValidFrom } from '../../backend/src/auth/tokens-valid-from-connection';
import { type ApiClient, uniqueEmail } from '../../backend/test/support/api-client';
/* eslint-enable @nx/enforce-module-boundaries */
import { startRevokingBackend, type RevokingBackend } from './support/revoking-backend';

const FIRST_PASSWORD = 'correct horse battery';
const SECOND_PASSWORD = 'staple battery horse';

/**
 * The recovery path after a stolen access token: the victim changes their
 * password (or deletes the account) at the backend, and the gateway, which
 * browsers reach directly under /ai/*, must stop honouring the old token too.
 * Both apps run here in-process on one real redis-server, the backend as
 * main.ts composes it with REDIS_URL; the gateway's revocation check runs on
 * a clock the test moves past its freshness bound instead of waiting.
 */
describe('a password change or deletion at the backend revokes the token at the gateway', () => {
  let redis: RunningService;
  let dataDir: string;
  let stores: Stores;
  let revocationsConnection: Awaited<ReturnType<typeof connectTokensValidFrom>>;
  let gatewayRedis: Redis;
  let backend: RevokingBackend;
  let api: ApiClient;
  let gateway: TestGateway;
  let gatewayClockMs = Date.now();
  let backendLogs = '';

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'dt-token-revocation-'));
    stores = await createStores({ dataDir, redisUrl: redis.url });
    const logger = createServiceLogger({
      service: 'backend',
      level: 'info',
      secretValues: [JWT_SECRET],
      destination: { write: (line: string) => void (backendLogs += line) },
    });
    revocationsConnection = await connectTokensValidFrom(redis.url, { logger });
    backend = await startRevokingBackend({
      stores,
      logger,
      tokensValidFrom: revocationsConnection.record,
    });
    api = backend.api;

    gatewayRedis = createRedisClient(redis.url);
    expect(await waitForRedis(gatewayRedis, 10_000)).toBe(true);
    gateway = await startTestGateway({
      tokenRevocations: {
        source: new RedisTokensValidFrom(gatewayRedis),
        now: () => gatewayClockMs,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await gateway?.close();
    await revocationsConnection?.close();
    if (gatewayRedis) await closeRedisClient(gatewayRedis);
    await stores?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** What a browser holding `token` gets from the gateway's search, where it reads the user's index. */
  const gatewaySearch = (token: string) =>
    gateway.app.inject({
      method: 'POST',
      url: GATEWAY_API.search,
      headers: { authorization: `Bearer ${token}` },
      payload: { query: 'anything', mode: 'lexical' },
    });
  const expectRefusedByGateway = async (token: string) => {
    const refused = await gatewaySearch(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().code).toBe('DT_ERR_UNAUTHENTICATED');
  };
  /** What the backend wrote for the user, and for how much longer than a token lives. */
  const published = async (userId: string) => {
    const validFrom = await new RedisTokensValidFrom(gatewayRedis).read(userId);
    const ttl = await gatewayRedis.ttl(tokensValidFromKey(userId));
    // Longer than the 15 minutes a token lives, by no more than a little.
    expect(ttl).toBeGreaterThan(ACCESS_TOKEN_TTL_SECONDS);
    expect(ttl).toBeLessThanOrEqual(ACCESS_TOKEN_TTL_SECONDS + 120);
    return { validFrom, ttl };
  };
  /** The longest the gateway may go on answering from what it read before. */
  const passTheStalenessBound = () => (gatewayClockMs += REVOCATION_FRESH_MS);

  it('refuses the old token after a password change, and accepts a token issued after it', async () => {
    const email = uniqueEmail('revoked-by-change');
    const victim = await api.registerUser(email, FIRST_PASSWORD);
    const stolen = victim.token as string;
    // Stolen in the very second of the change, most likely: refused all the same.
    expect((await gatewaySearch(stolen)).statusCode).toBe(200);

    const changed = await victim.put('/api/me/password', {
      currentPassword: FIRST_PASSWORD,
      newPassword: SECOND_PASSWORD,
    });
    expect(changed.status).toBe(204);
    expect((await victim.get('/api/me')).status).toBe(401);
    // Published as the backend refuses tokens itself: from the second after the change's.
    const account = await stores.users.findByEmail(email);
    expect(await published(account?.id ?? '')).toEqual({
      validFrom: Math.floor((account?.tokensValidFrom?.getTime() ?? 0) / 1000) + 1,
      ttl: expect.any(Number),
    });
    passTheStalenessBound();
    await expectRefusedByGateway(stolen);

    // Signed in again with the new password: dated after the change, even in its second.
    const login = await api.post<{ accessToken: string }>('/api/auth/login', {
      email,
      password: SECOND_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect((await gatewaySearch(login.body.accessToken)).statusCode).toBe(200);
    expect((await api.as(login.body.accessToken).get('/api/me')).status).toBe(200);
  });

  it('refuses every token of a deleted account', async () => {
    const victim = await api.registerUser(uniqueEmail('revoked-by-deletion'), FIRST_PASSWORD);
    const stolen = victim.token as string;
    expect((await gatewaySearch(stolen)).statusCode).toBe(200);

    expect((await victim.delete('/api/me')).status).toBe(204);
    expect((await published(decodeJwt(stolen).sub ?? '')).validFrom).toBe(NO_TOKEN_VALID_FROM);
    passTheStalenessBound();
    await expectRefusedByGateway(stolen);
  });

  /** Stops Redis and starts an empty one on the same address, as a restart without persistence does. */
  const restartRedisEmpty = async () => {
    const { port } = redis;
    await redis.stop();
    redis = await startRedis({ port });
  };
  /** The user's published second once the backend has written it again (it reconnects in the background). */
  const republished = async (userId: string) => {
    await waitUntil(
      'the revocation written again',
      async () => (await gatewayRedis.exists(tokensValidFromKey(userId))) === 1,
    );
    return published(userId);
  };

  it('writes a revocation again when Redis restarted without its data, so the gateway goes on refusing', async () => {
    const victim = await api.registerUser(uniqueEmail('revoked-then-forgotten'), FIRST_PASSWORD);
    const stolen = victim.token as string;
    const userId = decodeJwt(stolen).sub ?? '';
    const changed = await victim.put('/api/me/password', {
      currentPassword: FIRST_PASSWORD,
      newPassword: SECOND_PASSWORD,
    });
    expect(changed.status).toBe(204);
    const { validFrom } = await published(userId);

    await restartRedisEmpty();

    expect((await republished(userId)).validFrom).toBe(validFrom);
    passTheStalenessBound();
    await expectRefusedByGateway(stolen);
  });

  it('changes the password and deletes the account while Redis is down, says what was not published yet, and publishes it when Redis is back', async () => {
    const email = uniqueEmail('unpublished');
    const user = await api.registerUser(email, FIRST_PASSWORD);
    await redis.stop();

    const changed = await user.put('/api/me/password', {
      currentPassword: FIRST_PASSWORD,
      newPassword: SECOND_PASSWORD,
    });
    expect(changed.status).toBe(204);
    const login = await api.post<{ accessToken: string }>('/api/auth/login', {
      email,
      password: SECOND_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect((await api.as(login.body.accessToken).delete('/api/me')).status).toBe(204);

    const warnings = backendLogs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => / not published to the gateway/.test(line.msg));
    expect(
      warnings.map(({ level, msg }) => ({ level, msg: msg.split(' not published')[0] })),
    ).toEqual([
      { level: 'warn', msg: 'password change' },
      { level: 'warn', msg: 'account deletion' },
    ]);
    expect(warnings[0]?.msg).toMatch(/until the record is back, when it is written again$/);

    redis = await startRedis({ port: redis.port });
    // The deletion came after the change: every token of the account is refused.
    const userId = decodeJwt(user.token as string).sub ?? '';
    expect((await republished(userId)).validFrom).toBe(NO_TOKEN_VALID_FROM);
    passTheStalenessBound();
    await expectRefusedByGateway(login.body.accessToken);
  });
});
