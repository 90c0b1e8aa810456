import {
  call,
  listAllDocuments,
  register,
  registerMany,
  uploadJson,
  type Account,
} from '../api-client';
import { describeLoad, startLoad } from '../load-generator';
import type { Platform } from '../platform';
import { AcknowledgedWrites, everydayOperations } from '../platform-load';
import { countCacheKeys } from '../process-kill';
import { Expectations, type ScenarioResult } from '../scenario-result';
import type { SuiteOptions } from '../suite-options';
import { seconds, sleep, timeUntil } from '../waiting';

/** The documented per-email login limit (DEFAULT_LOGIN_LIMITS in the backend). */
const LOGIN_ATTEMPTS_PER_EMAIL = 5;

/**
 * Wrong-password logins for one email until the first 429: returns the
 * statuses and the 429's Retry-After. `targets` says which backend each
 * attempt goes to, to tell shared (Redis) counters from per-replica ones.
 */
async function exhaustLoginLimit(
  platform: Platform,
  account: Account,
  targets: readonly number[],
): Promise<{ statuses: number[]; retryAfter: string | null }> {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (const [attempt, target] of targets.entries()) {
    const answer = await call(platform.backendUrl(target), 'POST', '/api/auth/login', {
      json: { email: account.email, password: 'not-the-password' },
      headers: { 'x-forwarded-for': `198.51.100.${attempt + 1}` },
    });
    statuses.push(answer.status);
    if (answer.status === 429) {
      retryAfter = answer.headers.get('retry-after');
      break;
    }
  }
  return { statuses, retryAfter };
}

/** Alternating backends, one attempt more than the limit. */
const ACROSS_BOTH = Array.from({ length: LOGIN_ATTEMPTS_PER_EMAIL + 1 }, (_, i) => i % 2);
const ON_ONE = Array.from({ length: LOGIN_ATTEMPTS_PER_EMAIL + 1 }, () => 0);

async function cacheFilled(platform: Platform, account: Account): Promise<boolean> {
  for (const index of [0, 1]) {
    await call(platform.backendUrl(index), 'GET', '/api/documents?limit=7', {
      token: account.token,
    });
  }
  return (await countCacheKeys(platform.redis.url)) > 0;
}

/**
 * kill -9 Redis under load: every route that does not need Redis keeps
 * answering; login limits fall back to per-replica counters (README); an
 * empty Redis on the same address is picked up again and caching resumes.
 */
export async function redisOutage(
  platform: Platform,
  options: SuiteOptions,
): Promise<ScenarioResult> {
  const expect = new Expectations();
  const owner = await register(platform.url, 'redis-load');
  const seeded = await uploadJson(platform.url, owner.token, 0);
  const seededId = (seeded.body as { id: string }).id;

  expect.check(await cacheFilled(platform, owner), 'no cache entries in Redis before the outage');
  const shared = await exhaustLoginLimit(
    platform,
    await register(platform.url, 'redis-limit-a'),
    ACROSS_BOTH,
  );
  expect.check(
    shared.statuses.at(-1) === 429 && shared.statuses.length === LOGIN_ATTEMPTS_PER_EMAIL + 1,
    `with Redis, login limit across both backends: ${shared.statuses.join(',')}`,
  );

  const logins = await registerMany(platform.url, 'login', options.concurrency);
  const uploads = new AcknowledgedWrites();
  const load = startLoad(
    everydayOperations(() => platform.url, owner, seededId, logins, uploads),
    {
      concurrency: options.concurrency,
    },
  );
  await sleep(options.loadPhaseMs);
  await platform.crashRedis();
  await sleep(options.loadPhaseMs);

  const ready = await call(platform.backendUrl(0), 'GET', '/ready');
  expect.check(
    ready.status === 200,
    `/ready answered ${ready.status} without Redis (cache must not take the backend out of rotation)`,
  );
  const perReplica = await exhaustLoginLimit(
    platform,
    await register(platform.url, 'redis-limit-b'),
    ON_ONE,
  );
  expect.check(
    perReplica.statuses.at(-1) === 429 &&
      perReplica.statuses.length === LOGIN_ATTEMPTS_PER_EMAIL + 1 &&
      Number(perReplica.retryAfter) > 0,
    `without Redis, login limit on one backend: ${perReplica.statuses.join(',')} Retry-After ${perReplica.retryAfter}`,
  );

  await platform.restartRedis();
  const resumedAfter = await timeUntil(() => cacheFilled(platform, owner), {
    timeoutMs: 15_000,
  });
  expect.check(resumedAfter !== undefined, 'caching did not resume within 15 s of the restart');
  await sleep(options.loadPhaseMs / 2);
  const report = await load.stop();

  const present = (await listAllDocuments(platform.url, owner.token)).map((item) => item.id);
  const lost = uploads.missingFrom(present);
  return {
    scenario: 'kill -9 Redis under load, then restart it',
    expected:
      'no failed request on routes that do not need Redis; /ready stays 200; login limit shared across replicas with Redis, per replica (in-process) without; cache used again after restart',
    observed: [
      describeLoad(report),
      `${uploads.ids.size} uploads acknowledged`,
      `login limit with Redis: ${shared.statuses.join(',')} across both backends`,
      `without Redis: ${perReplica.statuses.join(',')} on one backend (Retry-After ${perReplica.retryAfter} s)`,
      `cache entries again ${seconds(resumedAfter)} after restart`,
    ].join('; '),
    requestsFailed: report.failed,
    dataLost: lost,
    problems: expect.problems,
  };
}
