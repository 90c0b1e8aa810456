// Two users, every user-scoped route of both services: the intruder (B)
// aims each route at the owner's (A's) documents, chat session and index
// entries, and A's data must neither show up in B's answers nor change.
// Every probe has a control (A reaching the same thing) so a probe that
// could never find anything does not pass by accident.
import { randomUUID } from 'node:crypto';
import { readOperations } from '../fuzz/openapi-operations.mjs';
import { callJson, rawRequest } from '../fuzz/raw-request.mjs';

const MARKER = `Zanzibarquokka${randomUUID().slice(0, 8)}`;
const DIRECT_MARKER = `Quillwhistle${randomUUID().slice(0, 8)}`;
const DIRECT_TEXT = `${DIRECT_MARKER} notes were indexed at the gateway, never uploaded to the backend.`;
const A_TEXT = `${MARKER} Industries builds lighthouses on Pemba Island. The ${MARKER} Industries ledger lists every lighthouse keeper by name.`;

async function waitUntil(label, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Phrases only A's text holds. B's probes name the marker word to steer
 * retrieval at A's data, and an answer may echo B's own question, so the
 * marker itself is not evidence; A's sentences, ids and email are.
 */
const A_ONLY = ['Pemba Island', 'lighthouse keeper', 'lighthouses on Pemba'];

/**
 * True when a successful answer carries any of A's text, ids or email. An id
 * B itself sent is not evidence: gateway document ids are the caller's to
 * choose, so B may index its own document under A's id and see it echoed.
 */
function leaks(answer, owner) {
  const text = JSON.stringify(answer.json ?? answer.body?.toString('utf8') ?? '');
  return [...A_ONLY, owner.id, owner.email, ...owner.documentIds, owner.sessionId].some(
    (value) => value && text.includes(value) && !answer.sent.includes(value),
  );
}

/**
 * @returns {Promise<{ rows: any[], secrets: Record<string, string> }>}
 */
export async function runIsolationMatrix({ backend, gateway, serviceToken }) {
  const secrets = {};
  async function register(label) {
    const email = `${label}-${randomUUID()}@security.example`;
    const password = `pw-${randomUUID()}`;
    const answer = await callJson(backend.url, 'POST', '/api/auth/register', {
      body: { email, password },
    });
    if (answer.status !== 201) throw new Error(`register answered ${answer.status}`);
    secrets[`${label} password`] = password;
    secrets[`${label} token`] = answer.json.accessToken;
    secrets[`${label} token signature`] = answer.json.accessToken.split('.')[2];
    return {
      email,
      password,
      token: answer.json.accessToken,
      id: answer.json.user.id,
      documentIds: [],
    };
  }
  const owner = await register('owner');
  const intruder = await register('intruder');
  const as = (user) => ({ token: user.token });

  // A's data: a JSON document, an uploaded file, a chat session, all indexed.
  const created = await callJson(backend.url, 'POST', '/api/documents', {
    ...as(owner),
    body: { title: `${MARKER} ledger`, text: A_TEXT },
  });
  owner.documentIds.push(created.json.id);
  const boundary = '----isolation';
  const upload = await rawRequest(backend.url, {
    method: 'POST',
    path: '/api/documents',
    headers: {
      authorization: `Bearer ${owner.token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="keepers.txt"\r\nContent-Type: text/plain\r\n\r\n${A_TEXT}\r\n--${boundary}--\r\n`,
  });
  owner.documentIds.push(JSON.parse(upload.body.toString()).id);
  const [docA] = owner.documentIds;
  const docB = (
    await callJson(backend.url, 'POST', '/api/documents', {
      ...as(intruder),
      body: { title: 'Intruder notes', text: 'Notes about bicycles and tea.' },
    })
  ).json.id;
  for (const id of [...owner.documentIds, docB]) {
    const user = id === docB ? intruder : owner;
    await waitUntil(`${id} indexed`, async () => {
      const detail = await callJson(backend.url, 'GET', `/api/documents/${id}`, as(user));
      return detail.json?.indexStatus === 'indexed';
    });
  }
  // Once indexed: a chat about a document still being indexed is a 409.
  const chat = await callJson(backend.url, 'POST', `/api/documents/${docA}/chat`, {
    ...as(owner),
    body: { message: `Who keeps the ${MARKER} lighthouses?` },
  });
  if (!chat.json?.sessionId) throw new Error(`the owner's chat answered ${chat.status}`);
  owner.sessionId = chat.json.sessionId;

  /** A's view of its own data, to compare before and after each probe. */
  async function ownerState() {
    const list = await callJson(backend.url, 'GET', '/api/documents?limit=100', as(owner));
    const detail = await callJson(backend.url, 'GET', `/api/documents/${docA}`, as(owner));
    const session = await callJson(
      backend.url,
      'GET',
      `/api/chat/sessions/${owner.sessionId}`,
      as(owner),
    );
    // As the service, which names A: A's own token would spend A's AI calls
    // per minute on the checks, one after every probe.
    const hits = await callJson(gateway.url, 'POST', '/ai/v1/search', {
      token: serviceToken,
      body: { ownerId: owner.id, query: MARKER, k: 20, mode: 'lexical' },
    });
    const profile = await callJson(backend.url, 'GET', '/api/me', as(owner));
    return JSON.stringify({
      ids: (list.json?.items ?? []).map((item) => item.id).sort(),
      title: detail.json?.title,
      text: detail.json?.text,
      messages: session.json?.messages?.length,
      chunks: (hits.json?.hits ?? [])
        .map((hit) => `${hit.documentId}/${hit.chunkId}/${hit.text}`)
        .sort(),
      theme: profile.json?.theme,
      social: profile.json?.socialMedia,
    });
  }

  const baseline = await ownerState();
  // Controls: A itself reaches everything the probes aim at.
  const controls = [
    (await callJson(backend.url, 'GET', `/api/documents/${docA}`, as(owner))).status === 200,
    (await callJson(backend.url, 'GET', `/api/chat/sessions/${owner.sessionId}`, as(owner)))
      .status === 200,
    (
      await callJson(
        backend.url,
        'GET',
        `/api/documents/search?q=${MARKER}&mode=content`,
        as(owner),
      )
    ).json?.items?.length > 0,
    (
      await callJson(
        backend.url,
        'GET',
        `/api/documents/search?q=${MARKER}&mode=semantic`,
        as(owner),
      )
    ).json?.items?.length > 0,
    (
      await callJson(gateway.url, 'POST', '/ai/v1/search', {
        ...as(owner),
        body: { query: MARKER },
      })
    ).json?.hits?.length > 0,
    JSON.stringify(
      (await callJson(gateway.url, 'GET', '/ai/v1/graph/entities?limit=500', as(owner))).json ?? '',
    ).includes(MARKER),
  ];
  if (!baseline.includes(MARKER) || controls.some((ok) => !ok)) {
    throw new Error(
      `isolation controls failed (${controls.join(', ')}): the matrix could not detect a leak`,
    );
  }

  const B = async (method, service, path, body) => ({
    ...(await callJson(service.url, method, path, {
      ...as(intruder),
      ...(body === undefined ? {} : { body }),
    })),
    sent: `${path} ${JSON.stringify(body ?? '')}`,
  });

  // Looked up as the service, naming B: polling with B's token would spend
  // B's AI calls per minute. Undefined unless the search itself succeeded: a
  // refusal is not an empty index.
  const directHits = async () => {
    const answer = await callJson(gateway.url, 'POST', '/ai/v1/search', {
      token: serviceToken,
      body: { ownerId: intruder.id, query: DIRECT_MARKER, mode: 'lexical' },
    });
    return answer.status === 200 ? answer.json.hits.length : undefined;
  };
  // The control of the erasure check: B's direct document was searchable.
  let directIndexed = false;

  /**
   * One entry per user-scoped route: the intruder's attempts, each judged.
   * A route in /openapi.json without an entry here fails the suite, so a new
   * route cannot skip the matrix.
   */
  const probes = {
    'GET /api/me': async () => [await B('GET', backend, '/api/me')],
    'PATCH /api/me': async () => [
      await B('PATCH', backend, '/api/me', {
        theme: 'dark',
        socialMedia: { github: 'https://github.com/intruder' },
      }),
    ],
    'PUT /api/me/password': async () => [
      await B('PUT', backend, '/api/me/password', {
        currentPassword: owner.password,
        newPassword: 'owned-by-b-123',
      }),
    ],
    'POST /api/documents': async () => [
      await B('POST', backend, '/api/documents', {
        title: 'planted',
        text: 'planted text',
        ownerId: owner.id,
      }),
      await B('POST', backend, '/api/documents', {
        title: 'mine',
        text: `intruder copy without the marker`,
      }),
    ],
    'GET /api/documents': async () => [await B('GET', backend, '/api/documents?limit=100')],
    'GET /api/documents/search': async () =>
      Promise.all(
        ['title', 'content', 'semantic'].map((mode) =>
          B('GET', backend, `/api/documents/search?q=${MARKER}&mode=${mode}`),
        ),
      ),
    'GET /api/documents/{id}': async () =>
      owner.documentIds.map((id) => B('GET', backend, `/api/documents/${id}`)),
    'PATCH /api/documents/{id}': async () => [
      await B('PATCH', backend, `/api/documents/${docA}`, { title: 'renamed by B' }),
    ],
    'DELETE /api/documents/{id}': async () => [
      await B('DELETE', backend, `/api/documents/${docA}`),
    ],
    'GET /api/documents/{id}/file': async () =>
      owner.documentIds.map((id) => B('GET', backend, `/api/documents/${id}/file`)),
    'POST /api/documents/{id}/ai/{task}': async () => [
      await B('POST', backend, `/api/documents/${docA}/ai/summary`, {}),
      await B('POST', backend, `/api/documents/${docA}/ai/key-ideas`, {}),
    ],
    'POST /api/ai/{task}': async () => [
      await B('POST', backend, '/api/ai/summary', { text: 'Bicycles and tea. Tea and bicycles.' }),
    ],
    'POST /api/documents/{id}/chat': async () => [
      await B('POST', backend, `/api/documents/${docA}/chat`, {
        message: `What does ${MARKER} build?`,
      }),
      await B('POST', backend, `/api/documents/${docB}/chat`, {
        message: `What does ${MARKER} build?`,
        sessionId: owner.sessionId,
      }),
    ],
    'GET /api/chat/sessions': async () => [
      await B('GET', backend, '/api/chat/sessions'),
      await B('GET', backend, `/api/chat/sessions?documentId=${docA}`),
    ],
    'GET /api/chat/sessions/{sessionId}': async () => [
      await B('GET', backend, `/api/chat/sessions/${owner.sessionId}`),
    ],
    'DELETE /api/chat/sessions/{sessionId}': async () => [
      await B('DELETE', backend, `/api/chat/sessions/${owner.sessionId}`),
    ],
    'POST /api/ask': async () => [
      await B('POST', backend, '/api/ask', { question: `What does ${MARKER} Industries build?` }),
      await B('POST', backend, '/api/ask', {
        question: `What does ${MARKER} Industries build?`,
        documentIds: owner.documentIds,
      }),
    ],
    'DELETE /api/documents': async () => [await B('DELETE', backend, '/api/documents')],
    'DELETE /api/me': async () => {
      // Indexed at the gateway directly, under an id the backend never saw: it
      // must go with B's account all the same (checked after the matrix).
      const direct = await B('POST', gateway, '/ai/v1/index', {
        documentId: `direct-${randomUUID()}`,
        title: 'Direct',
        text: DIRECT_TEXT,
      });
      directIndexed = (await directHits()) > 0;
      return [direct, await B('DELETE', backend, '/api/me')];
    },
    'POST /ai/v1/tasks/{task}': async () => [
      await B('POST', gateway, '/ai/v1/tasks/summary', { text: 'Bicycles and tea.' }),
    ],
    'POST /ai/v1/index': async () => [
      await B('POST', gateway, '/ai/v1/index', {
        ownerId: owner.id,
        documentId: docA,
        title: 'overwrite',
        text: 'overwritten by B',
      }),
      // Same document id, the token's owner: must land in B's index, not replace A's chunks.
      await B('POST', gateway, '/ai/v1/index', {
        documentId: docA,
        title: 'collide',
        text: 'B text under A document id',
      }),
    ],
    'DELETE /ai/v1/index': async () => [
      await B('DELETE', gateway, `/ai/v1/index?ownerId=${owner.id}`),
      // B's own index: everything B indexed goes, A's stays.
      await B('DELETE', gateway, '/ai/v1/index'),
    ],
    'DELETE /ai/v1/index/{documentId}': async () => [
      await B('DELETE', gateway, `/ai/v1/index/${docA}`),
      await B('DELETE', gateway, `/ai/v1/index/${docA}?ownerId=${owner.id}`),
    ],
    'POST /ai/v1/search': async () => [
      await B('POST', gateway, '/ai/v1/search', { query: MARKER, k: 50 }),
      await B('POST', gateway, '/ai/v1/search', { query: MARKER, documentIds: owner.documentIds }),
      await B('POST', gateway, '/ai/v1/search', { ownerId: owner.id, query: MARKER }),
    ],
    'POST /ai/v1/ask': async () => [
      await B('POST', gateway, '/ai/v1/ask', { question: `What does ${MARKER} build?` }),
      await B('POST', gateway, '/ai/v1/ask', {
        ownerId: owner.id,
        question: `What does ${MARKER} build?`,
      }),
    ],
    'POST /ai/v1/chat': async () => [
      await B('POST', gateway, '/ai/v1/chat', {
        documentId: docA,
        messages: [{ role: 'user', content: `What does ${MARKER} build?` }],
      }),
      await B('POST', gateway, '/ai/v1/chat', {
        ownerId: owner.id,
        messages: [{ role: 'user', content: MARKER }],
      }),
    ],
    'GET /ai/v1/graph/documents/{documentId}/related': async () => [
      await B('GET', gateway, `/ai/v1/graph/documents/${docA}/related`),
      await B('GET', gateway, `/ai/v1/graph/documents/${docA}/related?ownerId=${owner.id}`),
    ],
    'GET /ai/v1/graph/entities': async () => [
      await B('GET', gateway, '/ai/v1/graph/entities?limit=500'),
      await B('GET', gateway, `/ai/v1/graph/entities?ownerId=${owner.id}`),
    ],
    'POST /analyze': async () => [
      await B('POST', gateway, '/analyze', {
        document: 'B text analysed',
        question: `What does ${MARKER} build?`,
        metadata: { document_id: docA, owner_id: owner.id },
      }),
    ],
  };

  const operations = [
    ...(await readOperations(backend.url)),
    ...(await readOperations(gateway.url)),
  ].filter((operation) => operation.authenticated);
  const rows = [];
  // Destructive probes last, so that the others still have B's account and data to work with.
  const DESTRUCTIVE = ['DELETE /api/documents', 'DELETE /ai/v1/index', 'DELETE /api/me'];
  const order = (key) => DESTRUCTIVE.indexOf(key) + 1;
  const keys = operations
    .map((operation) => `${operation.method} ${operation.path}`)
    .sort((a, b) => order(a) - order(b));
  for (const key of keys) {
    const probe = probes[key];
    if (!probe) {
      rows.push({
        scenario: `Isolation: ${key}`,
        expected: 'a probe in tools/security/isolation-matrix.mjs',
        observed: 'FAIL: route not covered by the matrix',
        requestsFailed: 1,
        dataLost: 0,
      });
      continue;
    }
    const answers = await Promise.all(await probe());
    const problems = [];
    for (const answer of answers) {
      if (answer.status >= 500 || answer.status === 0) problems.push(`answered ${answer.status}`);
      // Every answer, errors too: they may echo only what B sent (the path in `instance`).
      if (leaks(answer, owner)) problems.push(`answer ${answer.status} carries A's data`);
    }
    const after = await ownerState();
    const changed = after !== baseline;
    rows.push({
      scenario: `Isolation: ${key} as B against A`,
      expected:
        "B's answers carry none of A's documents, chunks, citations, messages or ids; A's data unchanged",
      observed: `${answers.map((answer) => answer.status).join(', ')}; leaks ${problems.length ? `FAIL: ${problems.join('; ')}` : 'none'}; A's data ${changed ? 'CHANGED' : 'unchanged'}`,
      requestsFailed: problems.length,
      dataLost: changed ? 1 : 0,
    });
  }
  let purged = false;
  try {
    purged = await waitUntil('the erased account purged from the index', async () =>
      (await directHits()) === 0 ? true : undefined,
    );
  } catch {
    purged = false;
  }
  rows.push({
    scenario: "Erasure: B's account deleted",
    expected: 'what B indexed at the gateway directly leaves the index too (purge job)',
    observed: !directIndexed
      ? 'FAIL: the direct document was never searchable (no control)'
      : purged
        ? 'searchable before, gone from the index after'
        : 'FAIL: still searchable 30 s after the erasure',
    requestsFailed: directIndexed && purged ? 0 : 1,
    dataLost: 0,
  });
  // Logging in is rate-limited per address, so A's password is tried once, at the end.
  const login = await callJson(backend.url, 'POST', '/api/auth/login', {
    body: { email: owner.email, password: owner.password },
  });
  const ownedNow = (await callJson(backend.url, 'GET', '/api/documents', as(owner))).json?.items;
  const stillOwned = (ownedNow ?? []).filter((item) => owner.documentIds.includes(item.id)).length;
  rows.push({
    scenario: 'Isolation: A after every probe',
    expected: `A still logs in with its own password and still owns its ${owner.documentIds.length} documents`,
    observed: `login ${login.status}; A's documents ${stillOwned} of ${owner.documentIds.length}`,
    requestsFailed: login.status === 200 ? 0 : 1,
    dataLost: owner.documentIds.length - stillOwned,
  });
  return { rows, secrets, owner };
}
