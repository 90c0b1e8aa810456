// Sends the hostile corpus to the backend's upload route (and deeply nested
// JSON to both services' JSON routes) as one dedicated user, and judges each
// answer: a 4xx problem+json with a stable code, a live process, and nothing
// stored (the user's document list stays empty).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  deeplyNestedJson,
  docxZipBomb,
  invalidUtf8,
  pdfAbsurdPageCount,
  pdfRepeatedPageTree,
  pdfStreamBomb,
  streamedBytes,
  TRAVERSAL_FILENAMES,
} from './hostile-files.mjs';
import { callJson, jsonOf, rawRequest } from './raw-request.mjs';

const BOUNDARY = '----dt-hostile-corpus';
const MIB = 1024 * 1024;
/** The text of the nested bodies' document: an entity a graph write would keep. */
const NESTED_TEXT = 'The Zephyr Lighthouse Company reports on nested ledgers.';
/** What one hostile request may leave added to a service's RSS a second after its answer. */
const HOSTILE_RSS_BOUND = 256 * MIB;
/** The backend's default PDF page limit (libs/documents DEFAULT_DOCUMENT_LIMITS.maxPages). */
const MAX_PDF_PAGES = 2000;
/** What a 100 MB upload may add to the backend's RSS: it must be streamed, not kept. */
const STREAMED_UPLOAD_RSS_BOUND = 64 * MIB;

function partHead(filename, type) {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
}
const partTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

function multipart(filename, type, bytes) {
  return Buffer.concat([partHead(filename, type), bytes, partTail]);
}

function isProblem(answer) {
  return (
    answer.status >= 400 &&
    answer.status < 500 &&
    String(answer.headers?.['content-type']).startsWith('application/problem+json') &&
    typeof jsonOf(answer)?.code === 'string'
  );
}

async function documentCount(backend, token) {
  const list = await callJson(backend.url, 'GET', '/api/documents?limit=100', { token });
  return list.json?.items?.length ?? NaN;
}

/** Every file name under `directory`, recursively. */
function filesUnder(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/**
 * @returns {Promise<Array<{ scenario, expected, observed, requestsFailed, dataLost }>>}
 */
export async function runHostileUploads({
  backend,
  gateway,
  token,
  serviceToken,
  ownerId,
  dataDir,
}) {
  const rows = [];
  const uploadAuth = { authorization: `Bearer ${token}` };

  /**
   * One hostile request: 4xx problem+json, process alive, nothing stored,
   * RSS back within bounds a second after the answer. With `honestPages`, a
   * PDF whose claimed page count is a lie may instead be accepted when the
   * server counted its real pages (within the page limit) quickly.
   */
  async function expectRejected(
    scenario,
    request,
    {
      service = backend,
      expected = `a 4xx problem+json with a stable code, nothing stored, peak RSS ≤ +${HOSTILE_RSS_BOUND / MIB} MB`,
      honestPages = false,
    } = {},
  ) {
    // The gateway keeps no backend documents: what it may have stored is
    // looked for in its own index and graph after its rows.
    const countsBackendDocuments = service === backend;
    // The peak while the request ran (VmHWM, started again here), not a
    // reading afterwards: the memory of a stopped worker thread is back by then.
    service.resetPeakRss();
    const rssBefore = service.rss();
    const started = Date.now();
    const answer = await rawRequest(service.url, { timeoutMs: 60000, ...request });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const alive = await service.healthy();
    const rssGrowth = ((service.peakRss() ?? 0) - (rssBefore ?? 0)) / MIB;
    let stored = countsBackendDocuments ? await documentCount(backend, token) : 0;
    const code = jsonOf(answer)?.code;
    const problems = [];
    const pages = jsonOf(answer)?.pages;
    const honest =
      honestPages && answer.status === 201 && pages <= MAX_PDF_PAGES && Number(seconds) < 5;
    if (honest) {
      await callJson(backend.url, 'DELETE', '/api/documents', { token });
      stored = 0;
    } else if (!isProblem(answer)) {
      problems.push(
        `answered ${answer.status || answer.error} ${answer.headers?.['content-type'] ?? ''}`,
      );
    }
    if (!alive) problems.push(`${service.name} /health failed`);
    if (rssGrowth > HOSTILE_RSS_BOUND / MIB)
      problems.push(`RSS peaked ${rssGrowth.toFixed(0)} MB up`);
    if (stored !== 0) {
      problems.push(`${stored} document(s) stored (pages: ${jsonOf(answer)?.pages ?? '-'})`);
      // Later cases start from an empty list again.
      await callJson(backend.url, 'DELETE', '/api/documents', { token });
    }
    rows.push({
      scenario,
      expected,
      observed: `${answer.status || answer.error} ${code ?? ''}${honest ? ` (real page count ${pages} counted, claimed count ignored; document removed)` : ''} in ${seconds} s; ${service.name} alive: ${alive}; ${countsBackendDocuments ? `documents stored: ${stored}` : 'stored: see the gateway index and graph row'}; peak RSS +${rssGrowth.toFixed(0)} MB${problems.length ? ` — FAIL: ${problems.join('; ')}` : ''}`,
      requestsFailed: problems.length ? 1 : 0,
      dataLost: 0,
      rssGrowth,
    });
    return answer;
  }

  const upload = (filename, type, bytes) => ({
    method: 'POST',
    path: '/api/documents',
    headers: { ...uploadAuth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipart(filename, type, bytes),
  });

  await expectRejected(
    'Upload: DOCX zip bomb (1 MB → 1 GiB document.xml)',
    upload(
      'bomb.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      await docxZipBomb(),
    ),
  );
  await expectRejected(
    'Upload: DOCX zip bomb whose headers declare 4 KB (1 MB → 1 GiB document.xml)',
    upload(
      'lying-bomb.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      await docxZipBomb({ declaredSize: 4096 }),
    ),
  );
  await expectRejected(
    'Upload: PDF whose page tree claims 2^31-1 pages (one real page)',
    upload('absurd.pdf', 'application/pdf', pdfAbsurdPageCount()),
    {
      honestPages: true,
      expected: `4xx problem+json, or 201 with the real page count (≤ ${MAX_PDF_PAGES}) in < 5 s: the claimed count must not drive any work; nothing kept`,
    },
  );
  await expectRejected(
    'Upload: PDF whose page tree lists one page 200,000 times',
    upload('repeated.pdf', 'application/pdf', pdfRepeatedPageTree()),
  );
  await expectRejected(
    'Upload: JSON file nested 100,000 levels deep',
    upload('nested.json', 'application/json', deeplyNestedJson()),
  );
  await expectRejected(
    'Upload: text that is not valid UTF-8',
    upload('report.txt', 'text/plain', invalidUtf8()),
  );

  const hundredMb = 100 * 1000 * 1000;
  const streamedUpload = (declareLength) => {
    const head = partHead('huge.txt', 'text/plain');
    return {
      method: 'POST',
      path: '/api/documents',
      headers: {
        ...uploadAuth,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...(declareLength
          ? { 'content-length': String(head.length + hundredMb + partTail.length) }
          : { 'transfer-encoding': 'chunked' }),
      },
      body: streamedBytes(hundredMb, head, partTail),
    };
  };
  const sized = await expectRejected(
    'Upload: 100 MB file, Content-Length declared (streamed)',
    streamedUpload(true),
  );
  const chunked = await expectRejected(
    'Upload: 100 MB file, chunked without a length (streamed)',
    streamedUpload(false),
  );
  for (const [answer, row] of [
    [sized, rows.at(-2)],
    [chunked, rows.at(-1)],
  ]) {
    if (answer.status !== 413 || row.rssGrowth > STREAMED_UPLOAD_RSS_BOUND / MIB) {
      row.requestsFailed = 1;
      row.observed += ` — FAIL: expected 413 and peak RSS ≤ +${STREAMED_UPLOAD_RSS_BOUND / MIB} MB`;
    }
    row.expected = `413 problem+json, nothing stored, peak RSS ≤ +${STREAMED_UPLOAD_RSS_BOUND / MIB} MB`;
  }

  const nested = `{"title":"nested","text":"body","x":${deeplyNestedJson(100_000)}}`;
  await expectRejected('JSON body nested 100,000 levels: backend POST /api/documents', {
    method: 'POST',
    path: '/api/documents',
    headers: { ...uploadAuth, 'content-type': 'application/json' },
    body: nested,
  });
  const gatewayAuth = {
    authorization: `Bearer ${serviceToken}`,
    'content-type': 'application/json',
  };
  for (const [route, body] of [
    [
      '/ai/v1/index',
      `{"ownerId":"${ownerId}","documentId":"nested-doc","title":"t","text":"${NESTED_TEXT}","metadata":{"x":${deeplyNestedJson(100_000)}}}`,
    ],
    [
      '/analyze',
      `{"document":"${NESTED_TEXT}","metadata":{"document_id":"nested-doc","owner_id":"${ownerId}","x":${deeplyNestedJson(100_000)}}}`,
    ],
    ['/ai/v1/search', `{"ownerId":"${ownerId}","query":${deeplyNestedJson(100_000)}}`],
  ]) {
    await expectRejected(
      `JSON body nested 100,000 levels: gateway POST ${route}`,
      {
        method: 'POST',
        path: route,
        headers: gatewayAuth,
        body,
      },
      { service: gateway },
    );
  }
  // Nothing the nested bodies named may have reached the gateway's index or
  // graph (their text names an entity, so a graph write would show).
  const leftovers = await callJson(gateway.url, 'POST', '/ai/v1/search', {
    token: serviceToken,
    body: { ownerId, query: 'zephyr', k: 10 },
  });
  const entities = await callJson(
    gateway.url,
    'GET',
    `/ai/v1/graph/entities?ownerId=${encodeURIComponent(ownerId)}`,
    { token: serviceToken },
  );
  const indexed = leftovers.json?.hits?.length ?? NaN;
  const graphed = entities.json?.entities?.length ?? NaN;
  rows.push({
    scenario: 'Gateway index and graph after the nested bodies',
    expected: 'no hits and no entities for the rejected documents',
    observed: `${indexed} hit(s), ${graphed} entit${graphed === 1 ? 'y' : 'ies'}`,
    requestsFailed: indexed === 0 && graphed === 0 ? 0 : 1,
    dataLost: 0,
  });

  // File names are not trusted, not refused: the original is stored under
  // its document id and the name only feeds the title (a decision of the
  // backend's design, covered by its own bad-input test).
  const filesBefore = new Set(filesUnder(dataDir));
  const escapes = [];
  let accepted = 0;
  for (const filename of TRAVERSAL_FILENAMES) {
    const answer = await rawRequest(
      backend.url,
      upload(filename, 'text/plain', Buffer.from(`escape attempt ${filename}\n`)),
    );
    const created = jsonOf(answer);
    if (answer.status === 201 && typeof created?.id === 'string') {
      accepted += 1;
      if (/[\\/]/.test(created.title ?? '')) escapes.push(`title "${created.title}" keeps a path`);
      const original = await rawRequest(backend.url, {
        method: 'GET',
        path: `/api/documents/${created.id}/file`,
        headers: uploadAuth,
      });
      if (original.body?.toString('utf8') !== `escape attempt ${filename}\n`) {
        escapes.push(`${filename}: original not served back`);
      }
    } else if (!isProblem(answer)) {
      escapes.push(`${filename}: answered ${answer.status}`);
    }
  }
  const newFiles = filesUnder(dataDir).filter((file) => !filesBefore.has(file));
  const named = newFiles.filter((file) => file.includes('dt-fuzz-escape'));
  const outside = [
    '/tmp/dt-fuzz-escape.txt',
    '/etc/dt-fuzz-escape.txt',
    join(dataDir, '..', 'dt-fuzz-escape.txt'),
  ].filter(existsSync);
  escapes.push(
    ...named.map((file) => `stored under the given name: ${file}`),
    ...outside.map((file) => `written outside the data dir: ${file}`),
  );
  await callJson(backend.url, 'DELETE', '/api/documents', { token });
  rows.push({
    scenario: `Upload: ${TRAVERSAL_FILENAMES.length} path-traversal file names`,
    expected:
      'stored only under generated ids (201) or refused (4xx problem+json); no file outside the data dir; nothing under the given name',
    observed: `${accepted} accepted under ids, ${TRAVERSAL_FILENAMES.length - accepted} refused; ${newFiles.length} new file(s) in the data dir, none named after the upload; outside writes: ${outside.length}${escapes.length ? ` — FAIL: ${escapes.join('; ')}` : ''}`,
    requestsFailed: escapes.length,
    dataLost: 0,
  });
  // Last: while PDF extraction runs on the backend's event loop, this one can
  // stall the process, and every case after it would inherit that.
  await expectRejected(
    'Upload: PDF with a 1 MB content stream that inflates to 500 MB',
    upload('stream-bomb.pdf', 'application/pdf', await pdfStreamBomb()),
  );
  return rows.map(({ rssGrowth: _rssGrowth, ...row }) => row);
}
