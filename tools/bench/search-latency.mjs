#!/usr/bin/env node
// Search latency at 50,000 chunks: POST /ai/v1/search (hybrid, k = 6, the
// default) through the gateway bundle on the embedded store, next to the same
// gateway on a real Chroma holding the same documents (anchor): the same
// queries, one at a time, on Chroma once it has finished compacting, then on
// the embedded store with the Chroma server stopped. The first search of an
// owner loads its in-memory index on the embedded store; it is reported apart.
// Target: embedded p95 <= 30 ms.
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordResult } from './bench-support.mjs';
import { processTreeCpuMicros } from './process-support.mjs';
import { startGatewaysOnBothStores } from './chroma-process.mjs';
import { syntheticDocument, syntheticQueries } from './synthetic-documents.mjs';

const TARGET_CHUNKS = Number(process.env.BENCH_CHUNKS ?? 50000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const WARM_UP_QUERIES = 20;
const LOAD_CONCURRENCY = 6;
const TARGET_P95_MS = 30;
const SERVICE_TOKEN = 'bench-service-token-0123456789abcdef0123456789';
const OWNER = 'bench-owner';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` };

async function post(url, path, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 200) {
    throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return answer;
}

/** Indexes `documents` into the gateway at `url`, a few requests at a time. */
async function indexAll(url, ownerId, documents) {
  let chunks = 0;
  const queue = [...documents];
  await Promise.all(
    Array.from({ length: LOAD_CONCURRENCY }, async () => {
      for (let document = queue.shift(); document; document = queue.shift()) {
        // Awaited first: `chunks += await …` would read `chunks` before another worker adds to it.
        const indexed = await post(url, '/ai/v1/index', { ownerId, ...document });
        chunks += indexed.chunks;
      }
    }),
  );
  return chunks;
}

/**
 * Indexes documents 0, 1, 2, … into the embedded gateway until it holds
 * `TARGET_CHUNKS` chunks, then the same documents into the Chroma gateway,
 * plus a few of another owner into both, so every search is filtered by owner.
 */
async function load() {
  const started = performance.now();
  const documents = [];
  let chunks = 0;
  while (chunks < TARGET_CHUNKS) {
    const batch = Array.from({ length: 16 }, (_unused, index) =>
      syntheticDocument(documents.length + index),
    );
    documents.push(...batch);
    chunks += await indexAll(embedded.url, OWNER, batch);
  }
  const embeddedSeconds = (performance.now() - started) / 1000;
  const chromaChunks = await indexAll(onChroma.url, OWNER, documents);
  if (chromaChunks !== chunks)
    throw new Error(`Chroma got ${chromaChunks} chunks, embedded ${chunks}`);
  const others = Array.from({ length: 10 }, (_unused, index) =>
    syntheticDocument(documents.length + index),
  );
  await indexAll(embedded.url, 'other-owner', others);
  await indexAll(onChroma.url, 'other-owner', others);
  return {
    chunks,
    documents: documents.length,
    embeddedSeconds,
    chromaSeconds: (performance.now() - started) / 1000 - embeddedSeconds,
  };
}

async function timedSearch(url, query) {
  const started = performance.now();
  const { hits } = await post(url, '/ai/v1/search', { ownerId: OWNER, query });
  const elapsed = performance.now() - started;
  if (hits.length === 0) throw new Error(`no hits for "${query}"`);
  return elapsed;
}

async function timedHealth(url) {
  const started = performance.now();
  const response = await fetch(`${url}/health`);
  await response.arrayBuffer();
  return performance.now() - started;
}

/**
 * Waits until the process tree at `pid` uses under 5 % of a core over a
 * second (Chroma compacts in the background after a bulk load, at most
 * `limitSeconds`); returns the seconds waited.
 */
async function waitUntilIdle(pid, limitSeconds = 300) {
  const started = performance.now();
  for (let waited = 0; waited < limitSeconds; waited += 1) {
    const before = processTreeCpuMicros(pid);
    await sleep(1000);
    if (processTreeCpuMicros(pid) - before < 50_000) break;
  }
  return (performance.now() - started) / 1000;
}

function percentile(values, share) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

const env = { DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN };
const [chroma, embedded, onChroma] = await startGatewaysOnBothStores(env);
let stopped = false;
try {
  const loaded = await load();
  console.log(
    `loaded ${loaded.chunks} chunks (${loaded.documents} documents): embedded in ${loaded.embeddedSeconds.toFixed(0)} s, Chroma in ${loaded.chromaSeconds.toFixed(0)} s`,
  );
  // Warm-up queries of their own, then the same measured queries on both stores.
  const allQueries = syntheticQueries(WARM_UP_QUERIES + QUERIES, loaded.documents);
  const warmUp = allQueries.slice(0, WARM_UP_QUERIES);
  const queries = allQueries.slice(WARM_UP_QUERIES);
  const firstEmbedded = await timedSearch(embedded.url, warmUp[0]);
  const firstChroma = await timedSearch(onChroma.url, warmUp[0]);
  const compactingSeconds = await waitUntilIdle(chroma.pid);
  const samples = { health: [], embedded: [], chroma: [] };
  for (const query of warmUp) await timedSearch(onChroma.url, query);
  for (const query of queries) samples.chroma.push(await timedSearch(onChroma.url, query));
  // Chroma keeps compacting in the background after a bulk load; the embedded
  // store is measured without a Chroma server taking CPU next to it, as it
  // runs in production (the embedded store is for machines without one).
  await onChroma.stop();
  await chroma.stop();
  stopped = true;
  for (const query of warmUp) await timedSearch(embedded.url, query);
  for (const query of queries) {
    samples.embedded.push(await timedSearch(embedded.url, query));
    samples.health.push(await timedHealth(embedded.url));
  }
  const anchorP95 = percentile(samples.chroma, 0.95);
  const row = (name, values, target) => {
    const p95 = percentile(values, 0.95);
    return `| ${name} | ${percentile(values, 0.5).toFixed(1)} ms | ${p95.toFixed(1)} ms | ${percentile(values, 0.99).toFixed(1)} ms | ${(p95 / anchorP95).toFixed(2)}× | ${target ?? '—'} |`;
  };
  const embeddedP95 = percentile(samples.embedded, 0.95);
  const met = embeddedP95 <= TARGET_P95_MS;
  const table = [
    '| Subject | p50 | p95 | p99 | p95 ratio to anchor | Target |',
    '| --- | --- | --- | --- | --- | --- |',
    row('POST /ai/v1/search on a real Chroma (anchor)', samples.chroma),
    row(
      'POST /ai/v1/search on the embedded store',
      samples.embedded,
      `p95 ≤ ${TARGET_P95_MS} ms ${met ? 'met' : 'MISSED'}`,
    ),
    row('GET /health on the same gateway (HTTP floor)', samples.health),
  ];
  console.log(table.join('\n'));
  recordResult({
    title: 'Gateway: search latency at 50,000 chunks',
    command: 'npx nx run tools:bench-search-latency',
    table,
    notes: [
      `${loaded.chunks} chunks of ${loaded.documents} synthetic ~30 KiB documents for one owner (plus 10 of another owner) in each store, indexed through the API;`,
      `the same ${QUERIES} synthetic queries on both stores (a document's subject, a corpus phrase, or both), hybrid mode, k = 6, one at a time, after ${WARM_UP_QUERIES} other warm-up queries;`,
      `Chroma first, once its server had compacted the bulk load (${compactingSeconds.toFixed(0)} s until it used under 5 % of a core), then the embedded store with the Chroma server stopped, each /health between two embedded searches.`,
      'Production runs on Chroma (the gateway requires DOCUTHINKER_CHROMA_URL there); the embedded store is for machines without one.',
      `First search after start-up (loads the owner's in-memory index on the embedded store): embedded ${firstEmbedded.toFixed(0)} ms, Chroma ${firstChroma.toFixed(0)} ms.`,
      `Load average while measuring: ${loadavg()
        .map((value) => value.toFixed(1))
        .join(', ')} (other work shares these cores).`,
    ],
  });
  process.exitCode = met ? 0 : 1;
} finally {
  await embedded.stop();
  if (!stopped) {
    await onChroma.stop();
    await chroma.stop();
  }
}
