#!/usr/bin/env node
// GET /api/documents (authenticated, 20 items, warm cache) at c=50 next to a
// bare Express 5 hello-world measured in the same run, in alternating rounds:
// on a shared 2-core machine the load changes within seconds, and one anchor
// run followed by one backend run compared two different machines. Each
// figure is the median over the rounds; the ratio is the median of the
// per-round ratios.
// Targets: throughput >= 0.5x the anchor; p99 <= 25 ms.
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median, recordResult, root } from './bench-support.mjs';
import { startInOrder, startProcess } from './process-support.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;

function run(url, headers) {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
}

async function seedBackend(url) {
  const credentials = {
    email: `bench-${Date.now()}@example.com`,
    password: 'correct horse battery',
  };
  const registered = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  const { accessToken } = await registered.json();
  const auth = { authorization: `Bearer ${accessToken}` };
  for (let i = 0; i < 20; i += 1) {
    const created = await fetch(`${url}/api/documents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: `Benchmark document ${i}`,
        text: `Paragraph ${i}. `.repeat(200),
      }),
    });
    if (created.status !== 201) throw new Error(`upload answered ${created.status}`);
  }
  const listed = await (await fetch(`${url}/api/documents?limit=20`, { headers: auth })).json();
  if (listed.items.length !== 20)
    throw new Error(`expected 20 documents, got ${listed.items.length}`);
  return auth;
}

const [anchor, backend] = await startInOrder(
  () => startProcess(join(root, 'tools/bench/anchors/express-hello.cjs'), { readyPath: '/hello' }),
  () =>
    startProcess(join(root, 'dist/apps/backend/main.js'), {
      // The outbox would call a gateway that is not running; its retries are not what is measured.
      env: { DOCUTHINKER_AIML_URL: 'http://127.0.0.1:9' },
    }),
);
try {
  const auth = await seedBackend(backend.url);
  await run(`${anchor.url}/hello`, {}); // warm-up: JIT
  await run(`${backend.url}/api/documents?limit=20`, auth); // warm-up: caches, JIT
  const rounds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const anchorResult = await run(`${anchor.url}/hello`, {});
    const backendResult = await run(`${backend.url}/api/documents?limit=20`, auth);
    if (backendResult.non2xx > 0 || backendResult.errors > 0 || backendResult.timeouts > 0) {
      throw new Error(
        `backend answered ${backendResult.non2xx} non-2xx, ${backendResult.errors} errors and ${backendResult.timeouts} timeouts`,
      );
    }
    rounds.push({ anchor: anchorResult, backend: backendResult });
    console.log(
      `round ${round + 1}: anchor ${anchorResult.requests.average.toFixed(0)} req/s p99 ${anchorResult.latency.p99} ms; ` +
        `backend ${backendResult.requests.average.toFixed(0)} req/s p99 ${backendResult.latency.p99} ms`,
    );
  }
  const medianOf = (pick) => median(rounds.map(pick));
  const anchorRps = medianOf((r) => r.anchor.requests.average);
  const backendRps = medianOf((r) => r.backend.requests.average);
  const ratio = medianOf((r) => r.backend.requests.average / r.anchor.requests.average);
  const anchorP99 = medianOf((r) => r.anchor.latency.p99);
  const p99 = medianOf((r) => r.backend.latency.p99);
  const table = [
    '| Subject | Requests/s (median) | p99 latency (median) | Ratio to anchor (median) | Target |',
    '| --- | --- | --- | --- | --- |',
    `| Express 5 hello-world (anchor) | ${anchorRps.toFixed(0)} | ${anchorP99} ms | 1.00× | — |`,
    `| backend GET /api/documents (20 items) | ${backendRps.toFixed(0)} | ${p99} ms | ${ratio.toFixed(2)}× | ≥ 0.5× ${ratio >= 0.5 ? 'met' : 'MISSED'}; p99 ≤ 25 ms ${p99 <= 25 ? 'met' : 'MISSED'} |`,
  ];
  console.log(table.join('\n'));
  recordResult({
    title: 'Backend: list documents',
    command: 'npx nx run tools:bench-list-documents',
    table,
    notes: [
      `autocannon, ${CONNECTIONS} connections; ${ROUNDS} alternating rounds of ${DURATION} s per subject after a warm-up run of each; embedded stores.`,
      "The warm page is answered by the cached listing fast path ahead of Express (`apps/backend/src/routes/documents/cached-listing-fast-path.ts`), header for header the Express route's answer.",
      `Per round (req/s, p99): ${rounds
        .map(
          (r) =>
            `anchor ${r.anchor.requests.average.toFixed(0)}, ${r.anchor.latency.p99} ms / backend ${r.backend.requests.average.toFixed(0)}, ${r.backend.latency.p99} ms`,
        )
        .join('; ')}.`,
      `Load average at the end: ${loadavg()
        .map((value) => value.toFixed(1))
        .join(', ')} (other work shares these cores; the anchor's own p99 shows how much).`,
    ],
  });
  process.exitCode = ratio >= 0.5 && p99 <= 25 ? 0 : 1;
} finally {
  await Promise.all([anchor.stop(), backend.stop()]);
}
