#!/usr/bin/env node
// The bad-input suite: schema-driven fuzzing of every route both services
// publish in /openapi.json, then the hostile upload corpus. Verdicts: no
// answer >= 500 (bar documented 501s), /health after every batch, bounded
// RSS, a clean SIGTERM exit, an untouched owner's data intact, no secret in
// the logs. Writes the "Bad input" section of docs/resilience.md and exits
// non-zero when any row failed.
//
//   node tools/fuzz/fuzz.mjs            10,000 requests per service
//   node tools/fuzz/fuzz.mjs --short     1,000 requests per service (CI)
//   FUZZ_SEED=123 node tools/fuzz/fuzz.mjs   replays one run
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { recordResilience } from '../resilience/resilience-report.mjs';
import { scanLogsForSecrets } from '../security/log-scan.mjs';
import { fuzzService } from './fuzz-service.mjs';
import { runHostileUploads } from './hostile-uploads.mjs';
import { readOperations } from './openapi-operations.mjs';
import { startPlatform } from './platform-processes.mjs';
import { callJson } from './raw-request.mjs';

const short = process.argv.includes('--short');
const REQUESTS_PER_SERVICE = short ? 1000 : 10_000;
const BATCH = short ? 100 : 250;
const CONCURRENCY = 8;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_000);
const MIB = 1024 * 1024;
/** RSS may grow this much after the first batch (warm caches, JIT, allocator slack). */
const RSS_GROWTH_BOUND = 256 * MIB;
/** And never pass this, whatever the start. */
const RSS_PEAK_BOUND = 1024 * MIB;

const started = Date.now();
// The fuzzer signs up a fresh account whenever one deletes itself (hundreds
// from one address) and makes hundreds of AI calls as one user a minute; both
// limiters have their own tests (and rows in the security suite).
const platform = await startPlatform({
  logLevel: 'info',
  env: { DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000' },
  backendEnv: { DOCUTHINKER_REGISTRATIONS_PER_HOUR: '1000000' },
});
const { backend, gateway, secrets } = platform;
const rows = [];
const logSecrets = { 'JWT key': secrets.jwtSecret, 'service token': secrets.serviceToken };

async function register(label) {
  const email = `${label}-${randomUUID()}@fuzz.example`;
  const password = `pw-${randomUUID()}`;
  const answer = await callJson(backend.url, 'POST', '/api/auth/register', {
    body: { email, password },
  });
  if (answer.status !== 201)
    throw new Error(
      `register answered ${answer.status} ${answer.error ?? ''}\n${backend.output().slice(-3000)}`,
    );
  logSecrets[`${label} password`] = password;
  logSecrets[`${label} token`] = answer.json.accessToken;
  logSecrets[`${label} token signature`] = answer.json.accessToken.split('.')[2];
  return { email, password, token: answer.json.accessToken, id: answer.json.user.id };
}

async function createTextDocument(user, title, text) {
  const answer = await callJson(backend.url, 'POST', '/api/documents', {
    token: user.token,
    body: { title, text },
  });
  if (answer.status !== 201)
    throw new Error(`document create answered ${answer.status}\n${backend.output().slice(-2000)}`);
  return answer.json.id;
}

/** Until the document's outbox job has indexed it (chat about it is a 409 before). */
async function indexed(user, id, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await callJson(backend.url, 'GET', `/api/documents/${id}`, {
      token: user.token,
    });
    if (detail.json?.indexStatus === 'indexed') return;
    if (Date.now() > deadline) throw new Error(`document ${id} not indexed in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const digest = (value) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** What an owner has, in a form that shows any change. */
async function backendSnapshot(user) {
  const list = await callJson(backend.url, 'GET', '/api/documents?limit=100', {
    token: user.token,
  });
  const details = [];
  for (const item of list.json?.items ?? []) {
    const detail = await callJson(backend.url, 'GET', `/api/documents/${item.id}`, {
      token: user.token,
    });
    details.push({ id: item.id, title: detail.json?.title, text: detail.json?.text });
  }
  return { count: details.length, digest: digest(details) };
}

async function gatewaySnapshot(ownerId) {
  const answer = await callJson(gateway.url, 'POST', '/ai/v1/search', {
    token: secrets.serviceToken,
    body: { ownerId, query: 'sentinel zebra lighthouse', k: 50, mode: 'lexical' },
  });
  const hits = (answer.json?.hits ?? []).map((hit) => hit.chunkId).sort();
  return { count: hits.length, digest: digest(hits) };
}

/** A user token for the gateway, signed here; the log scan looks for each one too. */
async function userToken(ownerId, expiresIn = '15m') {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(ownerId)
    .setIssuer('docuthinker-backend')
    .setAudience('docuthinker-api')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secrets.jwtSecret));
  const signature = token.split('.')[2];
  logSecrets[`gateway user token ${signature.slice(0, 8)}`] = token;
  logSecrets[`gateway user token signature ${signature.slice(0, 8)}`] = signature;
  return token;
}

/** Authorization values: mostly a working token, often a broken one. */
function authorizationArbitrary(valid) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const [header, payload] = valid[0].replace('Bearer ', '').split('.');
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Bearer garbage',
        'Basic Zm9vOmJhcg==',
        `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        `Bearer ${header}.${payload}.AAAA`,
        `Bearer ${'a'.repeat(9000)}`,
        `${valid[0]} extra`,
        valid[0].toLowerCase(),
        `Bearer ${header}.${b64({ sub: 'someone-else', exp: 9e9 })}.${valid[0].split('.')[2]}`,
      ),
    },
  );
}

try {
  const sentinel = await register('sentinel');
  const sentinelIds = [
    await createTextDocument(sentinel, 'Sentinel one', 'The sentinel zebra guards the lighthouse.'),
    await createTextDocument(
      sentinel,
      'Sentinel two',
      'A second sentinel lighthouse note about zebra stripes.',
    ),
  ];
  const fuzzUser = await register('fuzz');
  const sessionIds = [];
  for (const title of ['Fuzz alpha', 'Fuzz beta']) {
    const id = await createTextDocument(
      fuzzUser,
      title,
      `${title} text about rivers, ledgers and audits.`,
    );
    await indexed(fuzzUser, id);
    const chat = await callJson(backend.url, 'POST', `/api/documents/${id}/chat`, {
      token: fuzzUser.token,
      body: { message: 'What is this about?' },
    });
    // The session routes are fuzzed with these: without one they go untested.
    if (!chat.json?.sessionId) throw new Error(`the fuzz user's chat answered ${chat.status}`);
    sessionIds.push(chat.json.sessionId);
  }

  const gatewaySentinel = `sentinel-${randomUUID()}`;
  await callJson(gateway.url, 'POST', '/ai/v1/index', {
    token: secrets.serviceToken,
    body: {
      ownerId: gatewaySentinel,
      documentId: 'sentinel-doc',
      title: 'Sentinel',
      text: 'The sentinel zebra guards the lighthouse. Zebra stripes and lighthouse lamps.',
    },
  });
  const fuzzOwners = [`fuzz-${randomUUID()}`, fuzzUser.id];
  await callJson(gateway.url, 'POST', '/ai/v1/index', {
    token: secrets.serviceToken,
    body: {
      ownerId: fuzzOwners[0],
      documentId: 'fuzz-doc',
      title: 'Fuzz',
      text: 'Rivers and ledgers.',
    },
  });
  // Indexing through the outbox is asynchronous; the snapshots are taken once it has settled.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const before = {
    backend: await backendSnapshot(sentinel),
    gateway: await gatewaySnapshot(gatewaySentinel),
  };

  // Deleting the account would end the fuzz identity: that route gets a fresh user each time.
  let disposableCount = 0;
  const backendOperations = await readOperations(backend.url);
  const backendStats = await fuzzService({
    service: backend,
    operations: backendOperations,
    total: REQUESTS_PER_SERVICE,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    seed,
    async contextFor() {
      const list = await callJson(backend.url, 'GET', '/api/documents?limit=100', {
        token: fuzzUser.token,
      });
      const ids = (list.json?.items ?? []).map((item) => item.id);
      return {
        authorization: authorizationArbitrary([`Bearer ${fuzzUser.token}`]),
        pools: {
          // The sentinel's ids are in the pool: touching them must change
          // nothing of its (the snapshots before and after are compared).
          id: [...ids, ...sentinelIds, randomUUID()],
          sessionId: sessionIds,
          cursor: [],
        },
      };
    },
    async prepare(request) {
      if (
        request.operation === 'DELETE /api/me' &&
        request.headers.authorization === `Bearer ${fuzzUser.token}`
      ) {
        disposableCount += 1;
        const disposable = await register(`disposable-${disposableCount}`);
        return {
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${disposable.token}` },
        };
      }
      return request;
    },
  });

  const gatewayOperations = await readOperations(gateway.url);
  // The sentinel's document id too, under the fuzz owners (the ownerId pool
  // never names the sentinel: the service token may act for any owner): a
  // delete or re-index scoped by document id alone would reach it.
  const documentIds = ['fuzz-doc', 'missing-doc', 'sentinel-doc'];
  const gatewayStats = await fuzzService({
    service: gateway,
    operations: gatewayOperations,
    total: REQUESTS_PER_SERVICE,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    seed,
    async contextFor() {
      return {
        authorization: authorizationArbitrary([
          `Bearer ${secrets.serviceToken}`,
          `Bearer ${secrets.serviceToken}`,
          `Bearer ${await userToken(fuzzOwners[0])}`,
        ]),
        pools: { ownerId: fuzzOwners, documentId: documentIds },
      };
    },
  });

  for (const [service, stats, operations] of [
    [backend, backendStats, backendOperations],
    [gateway, gatewayStats, gatewayOperations],
  ]) {
    const unhit = operations
      .map((o) => `${o.method} ${o.path}`)
      .filter((o) => !stats.routesHit.has(o));
    rows.push({
      scenario: `${service.name}: ${stats.sent} generated requests over ${operations.length} routes from /openapi.json (seed ${seed})`,
      expected:
        'no answer ≥ 500 (501 DT_ERR_TASK_UNSUPPORTED is the documented answer), /health 200 after every batch, every route reached (its own method, not "no such route")',
      observed: `2xx ${stats.byClass['2xx']}, 3xx ${stats.byClass['3xx']}, 4xx ${stats.byClass['4xx']}, 5xx ${stats.byClass['5xx']} (documented 501: ${stats.documented5xx}), no answer ${stats.byClass.none}, not sendable ${stats.refusedLocally}; routes reached ${stats.routesHit.size} of ${operations.length}, ${stats.routesAnswered2xx.size} of them with a 2xx; /health failures ${stats.healthFailures}; ${stats.seconds.toFixed(0)} s${unhit.length ? `; routes never hit: ${unhit.join(', ')}` : ''}${stats.failures.length ? `; first failure: ${stats.failures[0]}` : ''}`,
      requestsFailed: stats.failures.length + unhit.length,
      dataLost: 0,
    });
    rows.push({
      scenario: `${service.name}: 4xx answers are problem+json`,
      expected: 'every 4xx the service writes is application/problem+json with a code',
      observed: stats.notProblemJson.length
        ? `${stats.notProblemJson.length} were not; first: ${stats.notProblemJson[0].slice(0, 300)}`
        : `all ${stats.byClass['4xx']} were`,
      requestsFailed: stats.notProblemJson.length,
      dataLost: 0,
    });
    const warm = stats.rss[0] ?? 0;
    // VmHWM: the highest RSS since start, during requests too (the samples
    // are taken between batches only).
    const peak = Math.max(service.peakRss() ?? 0, ...stats.rss);
    const last = stats.rss.at(-1) ?? 0;
    const rssOk = last - warm <= RSS_GROWTH_BOUND && peak <= RSS_PEAK_BOUND;
    rows.push({
      scenario: `${service.name}: resident memory while fuzzed`,
      expected: `VmRSS after the last batch ≤ first batch + ${RSS_GROWTH_BOUND / MIB} MB, peak (VmHWM) ≤ ${RSS_PEAK_BOUND / MIB} MB`,
      observed: `first batch ${(warm / MIB).toFixed(0)} MB, peak ${(peak / MIB).toFixed(0)} MB, last ${(last / MIB).toFixed(0)} MB (${stats.rss.length} samples between batches)`,
      requestsFailed: rssOk ? 0 : 1,
      dataLost: 0,
    });
    console.log(
      `${service.name}: ${stats.sent} requests in ${stats.seconds.toFixed(0)} s, ${stats.failures.length} failures`,
    );
    for (const failure of stats.failures.slice(0, 20)) console.log(`  FAIL ${failure}`);
    for (const answer of stats.notProblemJson.slice(0, 5))
      console.log(`  not problem+json: ${answer}`);
  }

  const corpusUser = await register('corpus');
  rows.push(
    ...(await runHostileUploads({
      backend,
      gateway,
      token: corpusUser.token,
      serviceToken: secrets.serviceToken,
      // An owner no generated request touched: any hit afterwards came from a nested body.
      ownerId: `corpus-${randomUUID()}`,
      dataDir: platform.dataDir,
    })),
  );

  const after = {
    backend: await backendSnapshot(sentinel),
    gateway: await gatewaySnapshot(gatewaySentinel),
  };
  const backendLost =
    Math.max(0, before.backend.count - after.backend.count) ||
    (before.backend.digest === after.backend.digest ? 0 : 1);
  const gatewayLost =
    Math.max(0, before.gateway.count - after.gateway.count) ||
    (before.gateway.digest === after.gateway.digest ? 0 : 1);
  rows.push({
    scenario: 'An owner the fuzzer never authenticated as',
    expected: 'its documents (backend) and index entries (gateway) are unchanged after the run',
    observed: `backend ${before.backend.count} → ${after.backend.count} documents, content ${before.backend.digest === after.backend.digest ? 'identical' : 'CHANGED'}; gateway ${before.gateway.count} → ${after.gateway.count} hits, ${before.gateway.digest === after.gateway.digest ? 'identical' : 'CHANGED'}`,
    requestsFailed: 0,
    dataLost: backendLost + gatewayLost,
  });
} finally {
  // Looked at before the stop: a process that had already exited, even with
  // 0, did not survive the run.
  const runningAtEnd = {
    backend: backend.exitCode() === undefined,
    gateway: gateway.exitCode() === undefined,
  };
  const exits = await platform.stop();
  const cleanExit = (name) => runningAtEnd[name] && exits[name].code === 0;
  rows.push({
    scenario: 'Both processes after the run',
    expected: 'still running at the end, exit 0 on SIGTERM',
    observed: `backend ${runningAtEnd.backend ? 'running' : 'HAD EXITED'}, exit ${exits.backend.code ?? exits.backend.signal}; gateway ${runningAtEnd.gateway ? 'running' : 'HAD EXITED'}, exit ${exits.gateway.code ?? exits.gateway.signal}`,
    requestsFailed: (cleanExit('backend') ? 0 : 1) + (cleanExit('gateway') ? 0 : 1),
    dataLost: 0,
  });
  const scan = scanLogsForSecrets(platform.logs(), logSecrets);
  rows.push({
    scenario: 'Logs written during the bad-input run',
    expected: 'none of the run’s passwords, access tokens, JWT key or service token appear',
    observed: `${scan.checked} secrets searched in ${(platform.logs().length / 1024).toFixed(0)} KB of stdout/stderr; found: ${scan.found.length ? scan.found.join(', ') : 'none'}`,
    requestsFailed: scan.found.length,
    dataLost: 0,
  });
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
recordResilience({
  // Separate sections, as the fault suite's: CI's short run must not replace the full record.
  suite: short ? 'Bad input (short)' : 'Bad input',
  command: `npx nx run tools:fuzz${short ? ' --args=--short' : ''}`,
  rows,
  notes: [
    'Path-traversal file names are accepted and stored under generated ids (the backend never uses a client file name as a path; apps/backend/test/bad-input.spec.ts holds the same rule), so that row checks the storage directory instead of expecting a 4xx.',
    'A PDF whose page tree only lies about its count is read by its real page count; the row passes when that count is within the page limit and the answer is quick, and the document is then removed.',
    '',
    `${short ? 'Short' : 'Full'} mode, ${REQUESTS_PER_SERVICE} requests per service at concurrency ${CONCURRENCY}, whole run ${seconds} s. Replay with \`FUZZ_SEED=${seed}\`.`,
  ],
});
const failed = rows.filter((row) => row.requestsFailed > 0 || row.dataLost > 0);
for (const row of rows)
  console.log(
    `${row.requestsFailed || row.dataLost ? 'FAIL' : 'ok  '} ${row.scenario}: ${row.observed}`,
  );
console.log(
  `bad-input suite: ${rows.length - failed.length}/${rows.length} rows passed in ${seconds} s`,
);
process.exit(failed.length ? 1 : 0);
