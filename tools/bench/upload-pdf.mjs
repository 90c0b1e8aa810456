#!/usr/bin/env node
// Upload of the sample PDF through the backend (multipart, authenticated,
// extraction, storage, outbox write) next to the PDF library's raw text
// extraction of the same file, each as mean time per document over the same
// number of runs, alternating rounds. Target: overhead <= 1.5x.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleBenchWorker, recordResult, root } from './bench-support.mjs';
import { startProcess } from './process-support.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = 1.5;
const pdfPath = join(root, '..', 'shared', 'corpus', 'shared-mime-info-spec.pdf');
const pdf = readFileSync(pdfPath);

const workerBundle = await bundleBenchWorker('pdf-extraction-worker');

function rawExtractionMs() {
  const result = spawnSync(process.execPath, [workerBundle, pdfPath, String(RUNS)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`extraction worker failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

async function uploadMs(url, auth) {
  const upload = async () => {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'shared-mime-info-spec.pdf');
    const response = await fetch(`${url}/api/documents`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
  };
  await upload(); // warm-up
  const started = performance.now();
  for (let run = 0; run < RUNS; run += 1) await upload();
  return (performance.now() - started) / RUNS;
}

const backend = await startProcess(join(root, 'dist/apps/backend/main.js'), {
  env: {
    DOCUTHINKER_AIML_URL: 'http://127.0.0.1:9',
    // One account uploads far more than a person would in a minute; each
    // upload still counts against the AI call limit, which never refuses here.
    DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
  },
});
try {
  const registered = await fetch(`${backend.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `bench-${Date.now()}@example.com`,
      password: 'correct horse battery',
    }),
  });
  const { accessToken } = await registered.json();
  const auth = { authorization: `Bearer ${accessToken}` };

  const raw = [];
  const endToEnd = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    raw.push(rawExtractionMs());
    endToEnd.push(await uploadMs(backend.url, auth));
  }
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const rawMs = mean(raw);
  const uploadMsMean = mean(endToEnd);
  const overhead = uploadMsMean / rawMs;
  const table = [
    '| Subject | Mean per document | Documents/s | Ratio to anchor | Target |',
    '| --- | --- | --- | --- | --- |',
    `| raw PDF text extraction (anchor, libs/documents extractPdfText) | ${rawMs.toFixed(0)} ms | ${(1000 / rawMs).toFixed(2)} | 1.00× | — |`,
    `| POST /api/documents with the same PDF | ${uploadMsMean.toFixed(0)} ms | ${(1000 / uploadMsMean).toFixed(2)} | ${overhead.toFixed(2)}× | ≤ ${TARGET}× ${overhead <= TARGET ? 'met' : 'MISSED'} |`,
  ];
  console.log(table.join('\n'));
  recordResult({
    title: 'Backend: PDF upload overhead',
    command: 'npx nx run tools:bench-upload-pdf',
    table,
    notes: [
      `shared-mime-info-spec.pdf (${(pdf.length / 1024).toFixed(0)} KiB, 17 pages); ${ROUNDS} alternating rounds of ${RUNS} sequential runs each.`,
    ],
  });
  process.exitCode = overhead <= TARGET ? 0 : 1;
} finally {
  await backend.stop();
}
