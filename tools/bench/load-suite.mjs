#!/usr/bin/env node
// Load suite: every user-facing route of the backend (register, login, list,
// search, ask, upload) and the gateway's search, each at c=50 with
// autocannon next to a bare framework hello-world measured just before it in
// the same round (Express 5 for backend routes, Fastify 5 for gateway
// routes), in alternating rounds as tools/bench/list-documents.mjs does:
// figures are medians over the rounds, ratios the median of per-round
// ratios. Register and login are bound by argon2, so the library's raw
// hash/verify rate is measured in the same rounds as a second anchor.
// Reads are measured before writes, so uploads never grow what they read.
// Every response is checked (status and body); any failure fails the run
// and records nothing.
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { median, recordResult } from './bench-support.mjs';
import { argon2Rate } from './load-argon2.mjs';
import {
  DOCUMENT_BYTES,
  SEEDED_DOCUMENTS,
  loginAttemptsBeforeLimit,
  seedAccounts,
  startLoadPlatform,
  untilOutboxDrained,
} from './load-platform.mjs';
import { ANCHORS, HASHING_CONNECTIONS, loadSubjects } from './load-subjects.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_SECONDS = 1;
const CONNECTIONS = 50;
/** Login rotates over this many accounts, so no email nears its limit of 5 failures. */
const LOGIN_ACCOUNTS = 100;
const COMMAND = 'npx nx run tools:bench-load';

/** Status counts outside 2xx, e.g. "429×3, 500×1". */
function non2xxCodes(result) {
  return Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${code}×${count}`)
    .join(', ');
}

/** One autocannon run; every response's status and body are checked. */
async function measure(options, verifyBody, seconds, connections) {
  const result = await autocannon({ connections, duration: seconds, ...options, verifyBody });
  const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    mismatches: result.mismatches,
    codes: non2xxCodes(result),
    failed,
  };
}

const failures = [];
function check(name, run) {
  if (run.failed > 0) {
    failures.push(
      `${name}: ${run.non2xx} non-2xx (${run.codes || 'none'}), ${run.errors} errors/timeouts, ${run.mismatches} wrong bodies of ${run.total}`,
    );
  }
  return run;
}

const started = performance.now();
const platform = await startLoadPlatform();
try {
  const seeded = await seedAccounts(platform.backend.url, { loginAccounts: LOGIN_ACCOUNTS });
  const subjects = loadSubjects(seeded);
  console.log(`started and seeded after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const drains = [];
  let backlog = false;

  /**
   * The route's anchor, its argon2 context if any, then the route, each for
   * `seconds`, after the gateway has indexed what earlier uploads left.
   */
  const measurePair = async (subject, seconds) => {
    if (backlog) {
      drains.push(await untilOutboxDrained(platform.backend.url));
      console.log(`index backlog of the uploads done in ${drains.at(-1).toFixed(1)} s`);
    }
    const anchor = ANCHORS[subject.anchor];
    const connections = subject.connections ?? CONNECTIONS;
    const anchorRun = check(
      anchor.name,
      await measure(anchor.request(platform), anchor.verifyBody, seconds, connections),
    );
    const contextRun = subject.context
      ? await argon2Rate(subject.context, { seconds, concurrency: connections })
      : undefined;
    const run = check(
      subject.route,
      await measure(subject.request(platform), subject.verifyBody, seconds, connections),
    );
    backlog = Boolean(subject.drains);
    // Requests still queued in the service when autocannon stops would load the next run.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(1000, (1000 * connections) / run.rps)),
    );
    return { anchor: anchorRun, context: contextRun, run };
  };

  // Reads first, on a corpus no upload has grown yet, then writes; each phase
  // warms up its routes once, then measures them in alternating rounds.
  const rounds = subjects.map(() => []);
  for (const writes of [false, true]) {
    const phase = [...subjects.entries()].filter(
      ([, subject]) => Boolean(subject.drains) === writes,
    );
    for (const [, subject] of phase) await measurePair(subject, WARM_UP_SECONDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [index, subject] of phase) {
        const pair = await measurePair(subject, DURATION);
        rounds[index].push(pair);
        console.log(
          `round ${round + 1} ${subject.route}: ${pair.run.rps.toFixed(0)} req/s p99 ${pair.run.p99} ms ` +
            `(anchor ${pair.anchor.rps.toFixed(0)} req/s${pair.context ? `, argon2 ${subject.context} ${pair.context.perSecond.toFixed(0)}/s` : ''})`,
        );
      }
    }
  }

  // Login limits are at their defaults (there is no setting for them): the
  // load above spreads over accounts and client addresses; this shows the
  // limiter still answers 429 per address and per account.
  const perAddress = await loginAttemptsBeforeLimit(
    platform.backend.url,
    (n) => ({ email: `nobody-${n}@example.com`, clientAddress: '198.19.255.254' }),
    100,
  );
  const perAccount = await loginAttemptsBeforeLimit(
    platform.backend.url,
    (n) => ({ email: seeded.logins[0].email, clientAddress: `198.19.0.${n}` }),
    100,
  );

  const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
  const anchorRows = Object.entries(ANCHORS).map(([key, anchor]) => {
    const runs = rounds.flatMap((subjectRounds, index) =>
      subjects[index].anchor === key ? subjectRounds.map((r) => r.anchor) : [],
    );
    return `| ${anchor.name} | ${fmt(median(runs.map((r) => r.rps)))} | ${median(runs.map((r) => r.p50))} ms | ${median(runs.map((r) => r.p99))} ms | ${runs.reduce((sum, r) => sum + r.non2xx, 0)} / ${runs.reduce((sum, r) => sum + r.errors, 0)} | ${runs.reduce((sum, r) => sum + r.total, 0)} | 1.00× |`;
  });
  const contextRows = ['hash', 'verify'].map((operation) => {
    const runs = rounds.flatMap((subjectRounds, index) =>
      subjects[index].context === operation ? subjectRounds.map((r) => r.context) : [],
    );
    return `| @node-rs/argon2 ${operation}, argon2id default cost, in-process (context anchor) | ${fmt(median(runs.map((r) => r.perSecond)))} | ${median(runs.map((r) => r.p50)).toFixed(0)} ms | ${median(runs.map((r) => r.p99)).toFixed(0)} ms | — | ${runs.reduce((sum, r) => sum + r.count, 0)} | — |`;
  });
  const subjectRows = subjects.map((subject, index) => {
    const runs = rounds[index];
    const ratio = median(runs.map((r) => r.run.rps / r.anchor.rps));
    const contextRatio = subject.context
      ? `; ${median(runs.map((r) => r.run.rps / r.context.perSecond)).toFixed(2)}× argon2 ${subject.context}`
      : '';
    const non2xx = runs.reduce((sum, r) => sum + r.run.non2xx, 0);
    const errors = runs.reduce((sum, r) => sum + r.run.errors + r.run.mismatches, 0);
    return `| ${subject.route} | ${fmt(median(runs.map((r) => r.run.rps)))} | ${median(runs.map((r) => r.run.p50))} ms | ${median(runs.map((r) => r.run.p99))} ms | ${non2xx} / ${errors} | ${runs.reduce((sum, r) => sum + r.run.total, 0)} | ${ratio.toFixed(2)}× ${subject.anchor === 'express' ? 'Express' : 'Fastify'}${contextRatio} |`;
  });
  const table = [
    '| Route | Requests/s (median) | p50 (median) | p99 (median) | Non-2xx / errors | Responses checked | Ratio to anchor (median) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...anchorRows,
    ...contextRows,
    ...subjectRows,
  ];
  const seconds = (performance.now() - started) / 1000;
  console.log(table.join('\n'));
  console.log(`total ${seconds.toFixed(0)} s`);
  if (failures.length > 0) {
    console.error(`FAILED: unexpected responses (nothing recorded):\n${failures.join('\n')}`);
    process.exitCode = 1;
  } else {
    const overrides = ['BENCH_SECONDS', 'BENCH_ROUNDS']
      .filter((name) => process.env[name] !== undefined)
      .map((name) => `${name}=${process.env[name]}`);
    recordResult({
      title: 'Load: API routes next to bare framework anchors',
      command: overrides.length ? `${overrides.join(' ')} ${COMMAND}` : COMMAND,
      table,
      notes: [
        `autocannon, ${CONNECTIONS} connections (register, login, their anchor and argon2: ${HASHING_CONNECTIONS}, twice argon2's thread pool); ${ROUNDS} rounds, each measuring every route for ${DURATION} s right after its anchor (and, for register and login, the argon2 rate at the same concurrency); ` +
          `a ${WARM_UP_SECONDS} s warm-up of each first. Built bundles on embedded stores; the backend's outbox and AI calls go to the running gateway (offline engine).`,
        `Every response was checked: status 2xx and a body of the route's shape (a session, ${SEEDED_DOCUMENTS} list items, search items and gateway hits not degraded, an answer, a created document); the run fails on any other.`,
        `Reads: one account with ${SEEDED_DOCUMENTS} synthetic documents of ~${DOCUMENT_BYTES / 1024} KiB (\`tools/bench/synthetic-documents.mjs\`), indexed before measuring; search and ask rotate over 64 synthetic queries. All reads are measured before any upload, so uploads never grow what they read. ` +
          `Uploads go to another account; before the next run the gateway indexed each upload run's backlog (${drains.map((value) => value.toFixed(1)).join(', ')} s).`,
        `Login limits are at their defaults (per client address and per account, 15 min windows): login rotates over ${LOGIN_ACCOUNTS} accounts and each request carries its own client address in X-Forwarded-For (the backend trusts loopback proxies, as it trusts nginx/the ALB). ` +
          `Afterwards wrong passwords got 401 until 429 after ${perAddress} attempts from one address and after ${perAccount} on one account from addresses it had not signed in from: the limiter is on. Register is limited per client address (DOCUTHINKER_REGISTRATIONS_PER_HOUR, default 20); this run raises it to 1,000,000 because it signs up over a thousand accounts from one machine, and each request is a new email. ` +
          `AI calls per user (DOCUTHINKER_AI_CALLS_PER_MINUTE, default 60) are raised to 1,000,000 too, since one account searches and asks thousands of times a minute: every call is still counted, none refused.`,
        `Total run time ${seconds.toFixed(0)} s. Load average at the end: ${loadavg()
          .map((value) => value.toFixed(1))
          .join(', ')} (other work shares these cores).`,
      ],
    });
  }
} finally {
  await platform.stop();
}
