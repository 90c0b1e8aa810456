#!/usr/bin/env node
// Indexing with the offline engine: POST /ai/v1/index of ~30 KB documents,
// one after another, into the gateway bundle on the embedded store and on a
// real Chroma, next to the raw chunk-and-embed rate of the same documents
// (anchor) measured in the same run. Indexing includes the knowledge graph
// (embedded), as it does by default. The Chroma floor (the same chunks,
// embedded beforehand, written by the vector index adapter alone) shows what
// the Chroma server itself costs on the machine of the run.
// Targets: >= 20 documents/s embedded, >= 10 documents/s into Chroma.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchWorker, recordResult } from './bench-support.mjs';
import { startGatewaysOnBothStores } from './chroma-process.mjs';
import { syntheticDocument } from './synthetic-documents.mjs';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SERVICE_TOKEN = 'bench-service-token-0123456789abcdef0123456789';
const TARGETS = { embedded: 20, chroma: 10 };

const documents = Array.from({ length: DOCUMENTS * ROUNDS + 5 }, (_unused, index) =>
  syntheticDocument(index),
);
const meanBytes =
  documents.reduce((sum, document) => sum + Buffer.byteLength(document.text), 0) / documents.length;

const workerBundle = await bundleBenchWorker('chunk-embed-worker');
const chromaWriteBundle = await bundleBenchWorker('chroma-write-worker');

/** Documents per second that a worker bundle prints, run in a process of its own. */
function workerRate(bundle, ...args) {
  const result = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${bundle} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

async function indexOne(url, document) {
  const response = await fetch(`${url}/ai/v1/index`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` },
    body: JSON.stringify({ ownerId: 'bench-owner', ...document }),
  });
  const body = await response.json();
  if (response.status !== 200 || !body.vector?.enabled) {
    throw new Error(`index answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body.chunks;
}

async function searchOnce(url) {
  const response = await fetch(`${url}/ai/v1/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` },
    body: JSON.stringify({ ownerId: 'bench-owner', query: 'synthetic document', mode: 'hybrid' }),
  });
  if (response.status !== 200) throw new Error(`search answered ${response.status}`);
  await response.arrayBuffer();
}

/** Documents per second over `batch`, one request at a time, and each document's chunk count. */
async function indexRate(url, batch) {
  const chunks = [];
  const started = performance.now();
  for (const document of batch) chunks.push(await indexOne(url, document));
  return { rate: batch.length / ((performance.now() - started) / 1000), chunks };
}

const env = { DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN };
const [chroma, embedded, onChroma] = await startGatewaysOnBothStores(env);
// Made once the processes are up, so the finally below always removes it.
const textsDir = mkdtempSync(join(tmpdir(), 'dt-bench-texts-'));
try {
  const roundTextsFile = join(textsDir, 'round-texts.json');
  const roundDocumentsFile = join(textsDir, 'round-documents.json');
  const warmUp = documents.slice(-5);
  for (const document of warmUp) {
    await indexOne(embedded.url, document);
    await indexOne(onChroma.url, document);
  }
  // An owner who has searched since start-up has an in-memory index that
  // each write keeps up to date (libsql-vector-index.ts): users upload and
  // search, so the owner searches once before anything is measured.
  for (const url of [embedded.url, onChroma.url]) await searchOnce(url);
  const samples = { anchor: [], embedded: [], chroma: [], chromaFloor: [] };
  const chunkCounts = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const batch = documents.slice(round * DOCUMENTS, (round + 1) * DOCUMENTS);
    // Every subject gets this round's documents, under their own ids: new
    // documents for each, none a re-index of an earlier round's.
    writeFileSync(roundTextsFile, JSON.stringify(batch.map((document) => document.text)));
    writeFileSync(
      roundDocumentsFile,
      JSON.stringify(batch.map(({ documentId, text }) => ({ documentId, text }))),
    );
    samples.anchor.push(workerRate(workerBundle, roundTextsFile));
    const embeddedRun = await indexRate(embedded.url, batch);
    samples.embedded.push(embeddedRun.rate);
    chunkCounts.push(...embeddedRun.chunks);
    // The floor writes into a collection of its own on the same server, growing
    // round by round as the gateway's does. Chroma keeps compacting for a while
    // after a burst of writes, which slows whatever comes next: the two take
    // turns at going first.
    const chromaSubjects = [
      async () => samples.chroma.push((await indexRate(onChroma.url, batch)).rate),
      async () =>
        samples.chromaFloor.push(
          workerRate(chromaWriteBundle, roundDocumentsFile, chroma.url, 'bench-chroma-floor'),
        ),
    ];
    if (round % 2 === 1) chromaSubjects.reverse();
    for (const measure of chromaSubjects) await measure();
  }
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const anchor = mean(samples.anchor);
  const rows = [
    ['raw chunk-and-embed, offline engine (anchor)', anchor, undefined],
    [
      'POST /ai/v1/index → embedded store (libSQL) + embedded graph',
      mean(samples.embedded),
      TARGETS.embedded,
    ],
    ['POST /ai/v1/index → real Chroma + embedded graph', mean(samples.chroma), TARGETS.chroma],
    [
      'ChromaVectorIndex.replaceDocument alone, chunks embedded beforehand (Chroma floor)',
      mean(samples.chromaFloor),
      undefined,
    ],
  ];
  let failed = false;
  const table = [
    '| Subject | Documents/s | Per document | Ratio to anchor | Target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([name, rate, target]) => {
      if (target !== undefined && rate < target) failed = true;
      return `| ${name} | ${rate.toFixed(1)} | ${(1000 / rate).toFixed(1)} ms | ${(rate / anchor).toFixed(2)}× | ${target === undefined ? '—' : `≥ ${target}/s ${rate >= target ? 'met' : 'MISSED'}`} |`;
    }),
  ];
  console.log(table.join('\n'));
  recordResult({
    title: 'Gateway: indexing with the offline engine',
    command: 'npx nx run tools:bench-index-documents',
    table,
    notes: [
      `${ROUNDS} rounds of ${DOCUMENTS} distinct synthetic documents (mean ${(meanBytes / 1024).toFixed(1)} KiB, ${(chunkCounts.reduce((sum, count) => sum + count, 0) / chunkCounts.length).toFixed(1)} chunks on average; \`tools/bench/synthetic-documents.mjs\`), one request at a time, after 5 warm-up documents;`,
      'each subject indexes the same documents, new to it in every round; rates are means over the rounds. The anchor runs `chunkDocument` + `HashingEmbedder` in a process of its own.',
      'The owner searched once before the first round, so the embedded store keeps its in-memory search index up to date on every write, as for a user who uploads and searches.',
      `The Chroma floor writes the same chunks, chunked and embedded beforehand, through the vector index adapter alone (\`tools/bench/chroma-write-worker.ts\`: list the old ids, add, remove the stale) into a collection of its own on the same server, one document at a time, first in every other round; the gateway into Chroma reaches ${(mean(samples.chroma) / mean(samples.chromaFloor)).toFixed(2)}× of it, per round ${samples.chroma.map((rate, round) => `${rate.toFixed(1)} vs ${samples.chromaFloor[round].toFixed(1)}/s`).join(', ')}.`,
      `Load average while measuring: ${loadavg()
        .map((value) => value.toFixed(1))
        .join(', ')}.`,
    ],
  });
  process.exitCode = failed ? 1 : 0;
} finally {
  await embedded.stop();
  await onChroma.stop();
  await chroma.stop();
  rmSync(textsDir, { recursive: true, force: true });
}
