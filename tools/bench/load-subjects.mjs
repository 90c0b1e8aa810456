// What the load suite sends: one autocannon request definition per route,
// each with the anchor it is measured next to and a check that every
// response body is what the route promises (a 200 with the wrong body would
// otherwise count as success).
import { PASSWORD, SEEDED_DOCUMENTS, SERVICE_TOKEN } from './load-platform.mjs';
import { syntheticDocument, syntheticQueries } from './synthetic-documents.mjs';

const JSON_HEADERS = { 'content-type': 'application/json' };
const QUERIES = syntheticQueries(64, SEEDED_DOCUMENTS);
/**
 * Register and login run argon2 on a pool of 4 threads: at 50 connections
 * each request would mostly wait in its queue (p99 = queue length), and the
 * queued hashes would outlive the run by seconds, loading the next one.
 */
export const HASHING_CONNECTIONS = 8;

function parsed(body) {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const isSession = (body) => typeof parsed(body)?.accessToken === 'string';
const isCreatedDocument = (body) => {
  const document = parsed(body);
  return typeof document?.id === 'string' && document.indexStatus === 'pending';
};

/** Round-robin over `values`, one per request. */
function rotation(values) {
  let next = 0;
  return () => values[next++ % values.length];
}

/** autocannon options for POSTs of JSON to `path`, each with the body (and headers) `next()` gives. */
function jsonPosts(url, path, next) {
  return {
    url,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request) => {
          const { headers, body } = next();
          request.headers = { ...JSON_HEADERS, ...headers };
          request.body = JSON.stringify(body);
          return request;
        },
      },
    ],
  };
}

/** A multipart/form-data body with one small text file, as a browser sends it. */
function multipartTextFile() {
  const boundary = '----docuthinker-load-boundary';
  const text = syntheticDocument(SEEDED_DOCUMENTS + 1, 2 * 1024).text;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nLoad note\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="load-note.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\n${text}\r\n--${boundary}--\r\n`,
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, bytes: text.length };
}

export const ANCHORS = {
  express: {
    name: 'bare Express 5 hello-world GET /hello (anchor)',
    request: ({ express }) => ({ url: `${express.url}/hello` }),
    verifyBody: (body) => body === '{"hello":"world"}',
  },
  fastify: {
    name: 'bare Fastify 5 hello-world GET /ready (anchor)',
    request: ({ fastify }) => ({ url: `${fastify.url}/ready` }),
    verifyBody: (body) => body === '{"status":"ready"}',
  },
};

/** GET /api/documents/search in `mode`: the items of that mode, not a degraded fallback. */
function documentSearch(mode, reader) {
  const query = rotation(QUERIES);
  return {
    route: `GET /api/documents/search?q=&mode=${mode}${mode === 'semantic' ? ' (via gateway)' : ''}`,
    anchor: 'express',
    request: ({ backend }) => ({
      url: backend.url,
      requests: [
        {
          headers: reader.auth,
          setupRequest: (request) => {
            request.path = `/api/documents/search?mode=${mode}&q=${encodeURIComponent(query())}`;
            return request;
          },
        },
      ],
    }),
    verifyBody: (body) => {
      const result = parsed(body);
      return Array.isArray(result?.items) && result.mode === mode && !result.degraded;
    },
  };
}

/**
 * The routes, in the order each round measures them. `context` names the
 * argon2 operation a route is bound by; `connections` overrides the suite's
 * for the route, its anchor and its context; `drains` marks routes that leave
 * index jobs behind, which the suite lets the gateway finish before going on.
 */
export function loadSubjects({ reader, uploader, logins }) {
  const stamp = `${process.pid}-${Date.now()}`;
  let registered = 0;
  let loggedIn = 0;
  const askQuestion = rotation(QUERIES);
  const gatewayQuery = rotation(QUERIES);
  const uploadedText = syntheticDocument(SEEDED_DOCUMENTS, 2.5 * 1024);
  const multipart = multipartTextFile();
  return [
    {
      route: 'POST /api/auth/register',
      anchor: 'express',
      context: 'hash',
      connections: HASHING_CONNECTIONS,
      request: ({ backend }) =>
        jsonPosts(backend.url, '/api/auth/register', () => {
          registered += 1;
          return {
            body: { email: `load-register-${stamp}-${registered}@example.com`, password: PASSWORD },
          };
        }),
      verifyBody: isSession,
    },
    {
      route: 'POST /api/auth/login',
      anchor: 'express',
      context: 'verify',
      connections: HASHING_CONNECTIONS,
      request: ({ backend }) =>
        jsonPosts(backend.url, '/api/auth/login', () => {
          const n = loggedIn++;
          return {
            // One client address per attempt (RFC 2544's benchmarking range), as many
            // users behind the load balancer, which the backend trusts as a proxy.
            headers: { 'x-forwarded-for': `198.18.${(n >> 8) & 255}.${n & 255}` },
            body: { email: logins[n % logins.length].email, password: PASSWORD },
          };
        }),
      verifyBody: isSession,
    },
    {
      route: `GET /api/documents (${SEEDED_DOCUMENTS} items)`,
      anchor: 'express',
      request: ({ backend }) => ({
        url: `${backend.url}/api/documents?limit=${SEEDED_DOCUMENTS}`,
        headers: reader.auth,
      }),
      verifyBody: (body) => parsed(body)?.items?.length === SEEDED_DOCUMENTS,
    },
    documentSearch('content', reader),
    // A semantic search the gateway could not answer falls back to content search: not success here.
    documentSearch('semantic', reader),
    {
      route: 'POST /api/ask (offline engine via gateway)',
      anchor: 'express',
      request: ({ backend }) =>
        jsonPosts(backend.url, '/api/ask', () => ({
          headers: reader.auth,
          body: { question: askQuestion() },
        })),
      verifyBody: (body) => {
        const answer = parsed(body);
        return typeof answer?.answer === 'string' && Array.isArray(answer.citations);
      },
    },
    {
      route: 'gateway POST /ai/v1/search (service token)',
      anchor: 'fastify',
      request: ({ gateway }) =>
        jsonPosts(gateway.url, '/ai/v1/search', () => ({
          headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
          body: { ownerId: reader.id, query: gatewayQuery() },
        })),
      // Ranked as asked (hybrid), not by terms alone because the embedding failed.
      verifyBody: (body) => {
        const result = parsed(body);
        return Array.isArray(result?.hits) && result.degraded !== true;
      },
    },
    {
      route: `POST /api/documents (JSON, ${(uploadedText.text.length / 1024).toFixed(1)} KiB text)`,
      anchor: 'express',
      drains: true,
      request: ({ backend }) => ({
        url: `${backend.url}/api/documents`,
        method: 'POST',
        headers: { ...JSON_HEADERS, ...uploader.auth },
        body: JSON.stringify({ title: uploadedText.title, text: uploadedText.text }),
      }),
      verifyBody: isCreatedDocument,
    },
    {
      route: `POST /api/documents (multipart, ${(multipart.bytes / 1024).toFixed(1)} KiB .txt)`,
      anchor: 'express',
      drains: true,
      request: ({ backend }) => ({
        url: `${backend.url}/api/documents`,
        method: 'POST',
        headers: { 'content-type': multipart.contentType, ...uploader.auth },
        body: multipart.body,
      }),
      verifyBody: isCreatedDocument,
    },
  ];
}
