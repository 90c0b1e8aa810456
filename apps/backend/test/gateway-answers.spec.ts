import type { ServerResponse } from 'node:http';
import { DEFAULT_GATEWAY_BODY_LIMIT_BYTES } from '@docuthinker/config';
import { chatRequest, MAX_TEXT_CHARS, taskRequest } from '@docuthinker/contracts';
import { ApiClient, eventually, expectProblem, uniqueEmail } from './support/api-client';
import {
  gatewayProblem,
  healthyAnswer,
  sendJson,
  startScriptedGateway,
  type ScriptedGateway,
  type ScriptedRequest,
} from './support/scripted-gateway';
import { startBackend, type RunningBackend } from './support/start-backend';

// What the backend makes of the gateway's answers: each test scripts one the
// real gateway gives (engine-errors.ts, its route schemas) and checks what
// the user sees and what the outbox does. Found in a review of the backend's
// side of the gateway API; each test failed before its fix.

const isIndexCall = (call: ScriptedRequest) =>
  call.method === 'POST' && call.path === '/ai/v1/index';

/** Answers `path` with `answer` and every other route as a healthy gateway does. */
function on(
  path: string | RegExp,
  answer: (request: ScriptedRequest, res: ServerResponse) => void,
) {
  return (request: ScriptedRequest, res: ServerResponse) => {
    const matches = typeof path === 'string' ? request.path === path : path.test(request.path);
    if (matches && request.method === 'POST') answer(request, res);
    else healthyAnswer(request, res);
  };
}

/** As the gateway's route schema does: 400 for a body its contract refuses. */
function validated(
  schema: { safeParse(body: unknown): { success: boolean } },
  then: (request: ScriptedRequest, res: ServerResponse) => void,
) {
  return (request: ScriptedRequest, res: ServerResponse) => {
    if (schema.safeParse(request.body).success) then(request, res);
    else sendJson(res, 400, gatewayProblem(400, 'DT_ERR_VALIDATION', 'The request is invalid'));
  };
}

async function indexStatusOf(user: ApiClient, id: string): Promise<string> {
  return (await user.get<{ indexStatus: string }>(`/api/documents/${id}`)).body.indexStatus;
}

async function uploadText(user: ApiClient, title: string, text: string): Promise<string> {
  const created = await user.post<{ id: string }>('/api/documents', { title, text });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('the gateway answers as users see them', () => {
  let gateway: ScriptedGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  beforeAll(async () => {
    gateway = await startScriptedGateway();
    backend = await startBackend({
      gatewayUrl: gateway.url,
      // Production's breaker: without the gateway's word, Retry-After is 5 s.
      gatewayBreaker: { failuresToOpen: 5, halfOpenAfterMs: 5_000 },
      maxUploadBytes: 25 * 1024 * 1024,
    });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('gateway-answers'));
  });
  afterEach(() => {
    gateway.answer = healthyAnswer;
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it("passes on the gateway's Retry-After of a provider outage and of its rate limit", async () => {
    gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
      sendJson(res, 503, gatewayProblem(503, 'DT_ERR_PROVIDERS_UNAVAILABLE', 'openai: 429'), {
        'retry-after': '45',
      }),
    );
    const outage = await user.post('/api/ai/summary', { text: 'Some text to summarise.' });
    expectProblem(outage, 503, 'DT_ERR_AI_UNAVAILABLE');
    expect(outage.headers.get('retry-after')).toBe('45');

    gateway.answer = on('/ai/v1/ask', (_request, res) =>
      sendJson(res, 429, gatewayProblem(429, 'DT_ERR_RATE_LIMITED', 'Try again later.'), {
        'retry-after': '30',
      }),
    );
    const limited = await user.post('/api/ask', { question: 'What is in my documents?' });
    expectProblem(limited, 503, 'DT_ERR_AI_UNAVAILABLE');
    expect(limited.headers.get('retry-after')).toBe('30');
  });

  it('answers a feature the gateway has switched off as 501 without its configuration', async () => {
    // The real gateway's answer with DOCUTHINKER_SYNC_VECTOR=false.
    const switchedOff = (_request: ScriptedRequest, res: ServerResponse) =>
      sendJson(
        res,
        409,
        gatewayProblem(
          409,
          'DT_ERR_INDEX_DISABLED',
          'the vector index is disabled (DOCUTHINKER_SYNC_VECTOR=false)',
        ),
      );
    gateway.answer = on(/^\/ai\/v1\/(ask|chat)$/, switchedOff);
    const id = await uploadText(user, 'Licence notes', 'Binary redistribution keeps the notice.');
    const asked = await user.post('/api/ask', { question: 'What does redistribution keep?' });
    const chatted = await user.post(`/api/documents/${id}/chat`, { message: 'What is kept?' });
    for (const answer of [asked, chatted]) {
      expectProblem(answer, 501, 'DT_ERR_FEATURE_DISABLED');
      expect(answer.text).not.toMatch(/DOCUTHINKER_|SYNC_VECTOR/);
    }
    // Operators still find the gateway's own words in the log.
    expect(backend.logs()).toContain('DOCUTHINKER_SYNC_VECTOR=false');
  });

  it('falls back to content search where the gateway has no vector index, and says so', async () => {
    gateway.answer = on(/^\/ai\/v1\/search$/, (_request, res) =>
      sendJson(
        res,
        409,
        gatewayProblem(409, 'DT_ERR_INDEX_DISABLED', 'the vector index is disabled'),
      ),
    );
    await uploadText(user, 'Fallback notes', 'Binary redistribution keeps the notice.');
    const found = await user.get<{ mode: string; degraded: boolean; items: unknown[] }>(
      '/api/documents/search?q=redistribution&mode=semantic',
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ mode: 'content', degraded: true });
    expect(found.body.items.length).toBeGreaterThan(0);
  });

  // Found in review: a refused query came back as a degraded content search.
  it('does not hide a search the gateway refuses behind content search', async () => {
    gateway.answer = on(/^\/ai\/v1\/search$/, (_request, res) =>
      sendJson(res, 400, gatewayProblem(400, 'DT_ERR_VALIDATION', 'query: too many terms')),
    );
    const refused = await user.get('/api/documents/search?q=redistribution&mode=semantic');
    expect(refused.status).not.toBe(200);
    expectProblem(refused, refused.status, 'DT_ERR_AI_REJECTED');
  });

  it("keeps the gateway's words out of a rejection's detail", async () => {
    gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
      sendJson(
        res,
        400,
        gatewayProblem(400, 'DT_ERR_VALIDATION', 'body/options/style: set by internal rewriter'),
      ),
    );
    const answer = await user.post('/api/ai/rewrite', { text: 'Some text.', style: 'plain' });
    expectProblem(answer, 502, 'DT_ERR_AI_REJECTED');
    expect(answer.text).not.toContain('internal rewriter');
  });

  it('keeps a chat session usable after a reply longer than a chat message may be, or blank', async () => {
    let reply = 'Long answer. '.repeat(1_700); // 22,100 characters
    gateway.answer = on(
      '/ai/v1/chat',
      validated(chatRequest, (_request, res) => sendJson(res, 200, { reply, citations: [] })),
    );
    const id = await uploadText(user, 'Handbook', 'The handbook explains the leave policy.');
    for (const first of [reply, '   ']) {
      reply = first;
      const opening = await user.post<{ sessionId: string }>(`/api/documents/${id}/chat`, {
        message: 'Explain the leave policy.',
      });
      expect(opening.status).toBe(200);
      reply = 'A short follow-up.';
      const followUp = await user.post<{ reply: string }>(`/api/documents/${id}/chat`, {
        message: 'And in one sentence?',
        sessionId: opening.body.sessionId,
      });
      expect({ status: followUp.status, reply: followUp.body.reply }).toEqual({
        status: 200,
        reply: 'A short follow-up.',
      });
    }
  });

  // Found in an exploratory test: a sentiment answered as "positive", or a
  // summary as a list, was passed on and cached for a day, as the union of
  // every task's output let it through.
  it("refuses an answer whose output is another task's shape, and caches none", () =>
    withOwnBackend('wrong-shape', async (caller) => {
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (request, res) =>
        sendJson(res, 200, {
          task: request.path.split('/').at(-1),
          output: request.path.endsWith('/sentiment') ? 'positive' : ['a', 'b'],
          provider: 'upstream',
          model: 'container',
          degraded: false,
        }),
      );
      for (const task of ['sentiment', 'summary']) {
        const answer = await caller.post(`/api/ai/${task}`, { text: 'A short text to judge.' });
        expectProblem(answer, 503, 'DT_ERR_AI_UNAVAILABLE');
      }
      gateway.answer = healthyAnswer;
      const healthy = await caller.post<{ cached: boolean }>('/api/ai/summary', {
        text: 'A short text to judge.',
      });
      expect({ status: healthy.status, cached: healthy.body.cached }).toEqual({
        status: 200,
        cached: false,
      });
    }));

  // Found in an exploratory test: the gateway's notes (which refinement it
  // applied) were dropped, and a user could not tell.
  it("passes on the gateway's notes, cached with the result", () =>
    withOwnBackend('notes', async (caller) => {
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (request, res) =>
        sendJson(res, 200, {
          task: request.path.split('/').at(-1),
          output: 'A shorter summary.',
          provider: 'local',
          model: 'offline',
          degraded: false,
          notes: ['applied: shorter (two sentences)'],
        }),
      );
      const body = {
        text: 'A long summary. Of two sentences.',
        summary: 'S.',
        instructions: 'shorter',
      };
      const fresh = await caller.post('/api/ai/refine-summary', body);
      expect(fresh.body).toMatchObject({
        cached: false,
        notes: ['applied: shorter (two sentences)'],
      });
      const cached = await caller.post('/api/ai/refine-summary', body);
      expect(cached.body).toMatchObject({
        cached: true,
        notes: ['applied: shorter (two sentences)'],
      });
    }));

  it('refines the stored summary of a document whose AI summary is longer than the option takes', async () => {
    gateway.answer = on(
      /^\/ai\/v1\/tasks\//,
      validated(taskRequest, (request, res) =>
        sendJson(res, 200, {
          task: request.path.split('/').at(-1),
          output: request.path.endsWith('/summary')
            ? 'A very thorough summary. '.repeat(4_200)
            : 'Refined summary.',
          provider: 'upstream',
          model: 'container',
          degraded: false,
        }),
      ),
    );
    const id = await uploadText(user, 'Report', 'The annual report covers revenue and outlook.');
    await eventually(async () =>
      (await indexStatusOf(user, id)) === 'indexed' ? true : undefined,
    );
    const refined = await user.post<{ result: string }>(`/api/documents/${id}/ai/refine-summary`, {
      instructions: 'shorter',
    });
    expect({ status: refined.status, result: refined.body.result }).toEqual({
      status: 200,
      result: 'Refined summary.',
    });
  });

  /**
   * Runs `test` as a user of a backend of its own: a breaker a test opens
   * would refuse the other tests' calls.
   */
  async function withOwnBackend(label: string, test: (caller: ApiClient) => Promise<void>) {
    const own = await startBackend({
      gatewayUrl: gateway.url,
      gatewayBreaker: { failuresToOpen: 5, halfOpenAfterMs: 5_000 },
    });
    try {
      await test(await new ApiClient(own.url).registerUser(uniqueEmail(label)));
    } finally {
      await own.close();
    }
  }

  it("keeps the gateway's Retry-After while the breaker it opened fails calls at once", () =>
    withOwnBackend('breaker', async (caller) => {
      const calls = () =>
        gateway.calls.filter((call) => call.path.startsWith('/ai/v1/tasks/')).length;
      // The gateway's own unavailability (an outage behind it is not, see below).
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
        sendJson(res, 503, gatewayProblem(503, 'DT_ERR_SHUTTING_DOWN', 'draining'), {
          'retry-after': '40',
        }),
      );
      // Five failures in a row open the breaker; the sixth call is refused here.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await caller.post('/api/ai/summary', { text: `Text number ${attempt}.` });
      }
      const sent = calls();
      const refused = await caller.post('/api/ai/summary', { text: 'Text number 5.' });
      expect(calls()).toBe(sent);
      expectProblem(refused, 503, 'DT_ERR_AI_UNAVAILABLE');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(39);
    }));

  it('refuses calls at the breaker’s delay once failures without a Retry-After opened it', () =>
    withOwnBackend('breaker-no-ask', async (caller) => {
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
        sendJson(res, 429, gatewayProblem(429, 'DT_ERR_RATE_LIMITED', 'Try again later.'), {
          'retry-after': '40',
        }),
      );
      await caller.post('/api/ai/summary', { text: 'Text number 0.' });
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
        sendJson(res, 500, gatewayProblem(500, 'DT_ERR_INTERNAL', 'Internal error')),
      );
      for (let attempt = 1; attempt < 5; attempt += 1) {
        await caller.post('/api/ai/summary', { text: `Text number ${attempt}.` });
      }
      const refused = await caller.post('/api/ai/summary', { text: 'Text number 5.' });
      expectProblem(refused, 503, 'DT_ERR_AI_UNAVAILABLE');
      // The 429's 40 s were its own; the 500s that followed and opened the breaker asked for nothing.
      expect(refused.headers.get('retry-after')).toBe('5');
    }));

  it('answers a failure with its own Retry-After, not one an earlier failure asked for', async () => {
    gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
      sendJson(res, 429, gatewayProblem(429, 'DT_ERR_RATE_LIMITED', 'Try again later.'), {
        'retry-after': '40',
      }),
    );
    const limited = await user.post('/api/ai/summary', { text: 'Some text to summarise.' });
    expect(limited.headers.get('retry-after')).toBe('40');

    gateway.answer = on('/ai/v1/ask', (_request, res) =>
      sendJson(res, 500, gatewayProblem(500, 'DT_ERR_INTERNAL', 'Internal error')),
    );
    const failed = await user.post('/api/ask', { question: 'What is in my documents?' });
    expectProblem(failed, 503, 'DT_ERR_AI_UNAVAILABLE');
    // The breaker's half-open delay, not the 40 s the tasks' 429 asked for.
    expect(failed.headers.get('retry-after')).toBe('5');
  });

  it('keeps calling the gateway through an AI provider outage it answers at once', () =>
    withOwnBackend('provider-outage', async (caller) => {
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
        sendJson(res, 503, gatewayProblem(503, 'DT_ERR_PROVIDERS_UNAVAILABLE', 'openai: 500'), {
          'retry-after': '3',
        }),
      );
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const outage = await caller.post('/api/ai/summary', { text: `Text number ${attempt}.` });
        expectProblem(outage, 503, 'DT_ERR_AI_UNAVAILABLE');
        expect(outage.headers.get('retry-after')).toBe('3');
      }
      const asks = () => gateway.calls.filter((call) => call.path === '/ai/v1/ask').length;
      const sentBefore = asks();
      // Asking needs no provider the outage took: counted, the outage would have
      // opened the breaker for it too.
      const asked = await caller.post('/api/ask', { question: 'What is in my documents?' });
      expect(asked.status).toBe(200);
      expect(asks()).toBe(sentBefore + 1);
    }));

  // The gateway's answer to a request every AI provider refused: the
  // request's fate, like a store's refusal. Taken as any other 502, it would
  // count towards the breaker until it shut AI off for everyone.
  it('answers a request every AI provider refused as rejected, without retrying or counting it', () =>
    withOwnBackend('providers-refused', async (caller) => {
      const tasks = () => gateway.calls.filter((call) => call.path.startsWith('/ai/v1/tasks/'));
      gateway.answer = on(/^\/ai\/v1\/tasks\//, (_request, res) =>
        sendJson(
          res,
          502,
          gatewayProblem(502, 'DT_ERR_PROVIDERS_REFUSED', 'summary: openai: failed'),
        ),
      );
      const sentBefore = tasks().length;
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const refused = await caller.post('/api/ai/summary', { text: `Text number ${attempt}.` });
        expectProblem(refused, 502, 'DT_ERR_AI_REJECTED');
        expect(refused.headers.get('retry-after')).toBeNull();
      }
      expect(tasks().length - sentBefore).toBe(6);

      gateway.answer = healthyAnswer;
      expect(
        (await caller.post('/api/ai/summary', { text: 'A text the providers take.' })).status,
      ).toBe(200);
    }));

  // Found by an exploratory test: with Chroma stopped, AI tasks at the backend were refused too.
  it('keeps calling the gateway through an outage of its vector index it answers at once', () =>
    withOwnBackend('index-outage', async (caller) => {
      gateway.answer = on('/ai/v1/ask', (_request, res) =>
        sendJson(res, 503, gatewayProblem(503, 'DT_ERR_ENGINE_UNAVAILABLE', 'chroma: down'), {
          'retry-after': '4',
        }),
      );
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const outage = await caller.post('/api/ask', { question: `Question ${attempt}?` });
        expectProblem(outage, 503, 'DT_ERR_AI_UNAVAILABLE');
        expect(outage.headers.get('retry-after')).toBe('4');
      }
      const tasks = () => gateway.calls.filter((call) => call.path.startsWith('/ai/v1/tasks/'));
      const sentBefore = tasks().length;
      const summary = await caller.post('/api/ai/summary', { text: 'Some text to summarise.' });
      expect(summary.status).toBe(200);
      expect(tasks().length).toBe(sentBefore + 1);
    }));

  it('sends a text the API accepts within the gateway body limit, however JSON escapes it', async () => {
    // What Fastify's bodyLimit does, before parsing.
    gateway.answer = (request, res) => {
      if (request.bodyBytes > DEFAULT_GATEWAY_BODY_LIMIT_BYTES) {
        sendJson(res, 413, gatewayProblem(413, 'DT_ERR_BODY_TOO_LARGE', 'too large'));
      } else healthyAnswer(request, res);
    };
    // Every control character is a 6-byte \u0001 in JSON: 10 MB for 1.7 M characters.
    const text = `Log: ${'\u0001'.repeat(1_700_000)} end.`;
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    const answer = await user.post('/api/ai/summary', { text });
    expect(answer.status).toBe(200);
    expect(gateway.calls.at(-1)?.bodyBytes).toBeGreaterThan(10_000_000);
  }, 30_000);
});

describe('the outbox and the gateway answers it gets', () => {
  let gateway: ScriptedGateway;

  beforeAll(async () => {
    gateway = await startScriptedGateway();
  });
  afterEach(() => {
    gateway.answer = healthyAnswer;
  });
  afterAll(async () => {
    await gateway.stop();
  });

  /** The gateway answers a document's first index call with `failure`, then indexes it: the retry must come. */
  async function indexedAfterOneFailure(
    label: string,
    failure: (res: ServerResponse) => void,
  ): Promise<void> {
    const backend = await startBackend({ gatewayUrl: gateway.url });
    const before = gateway.calls.length;
    try {
      let failed = false;
      gateway.answer = on('/ai/v1/index', (request, res) => {
        if (failed) return healthyAnswer(request, res);
        failed = true;
        failure(res);
      });
      const user = await new ApiClient(backend.url).registerUser(uniqueEmail(label));
      const id = await uploadText(
        user,
        'Indexed on retry',
        'Text the gateway indexes on its second try.',
      );
      await eventually(async () =>
        (await indexStatusOf(user, id)) === 'indexed' ? true : undefined,
      );
      expect(gateway.calls.slice(before).filter(isIndexCall)).toHaveLength(2);
    } finally {
      await backend.close();
    }
  }

  it('indexes a document whose first attempt timed out at the gateway (408)', () =>
    indexedAfterOneFailure('outbox-408', (res) =>
      sendJson(res, 408, gatewayProblem(408, 'DT_ERR_REQUEST_TIMEOUT', 'not in time')),
    ));

  it('settles a document the vector store refuses (502 DT_ERR_STORE_REJECTED) as failed, without opening the breaker', async () => {
    const backend = await startBackend({
      gatewayUrl: gateway.url,
      gatewayBreaker: { failuresToOpen: 2, halfOpenAfterMs: 5_000 },
    });
    const before = gateway.calls.length;
    try {
      gateway.answer = on('/ai/v1/index', (_request, res) =>
        sendJson(res, 502, gatewayProblem(502, 'DT_ERR_STORE_REJECTED', 'Chroma refused it')),
      );
      const owner = await new ApiClient(backend.url).registerUser(uniqueEmail('refused-owner'));
      const bystander = await new ApiClient(backend.url).registerUser(uniqueEmail('bystander'));
      const ids = [
        await uploadText(owner, 'Refused', 'Text the vector store refuses.'),
        await uploadText(owner, 'Refused too', 'Another text the vector store refuses.'),
      ];
      for (const id of ids) {
        await eventually(async () =>
          (await indexStatusOf(owner, id)) === 'failed' ? true : undefined,
        );
      }
      expect(gateway.calls.slice(before).filter(isIndexCall)).toHaveLength(2);
      expect((await backend.stores.outbox.pendingCounts()).index).toBe(0);
      // Two refusals in a row did not count as the two failures that open it.
      expect((await bystander.post('/api/ai/summary', { text: 'An unrelated text.' })).status).toBe(
        200,
      );
    } finally {
      await backend.close();
    }
  });

  // Found in the diff review: on the index route this code means the
  // embedding provider refused or answered badly, which fails every document
  // alike until the deployment is fixed: it is retried, not a refusal.
  it('retries an index job the embedding provider failed (502 DT_ERR_UPSTREAM_REJECTED)', () =>
    indexedAfterOneFailure('outbox-embed', (res) =>
      sendJson(
        res,
        502,
        gatewayProblem(502, 'DT_ERR_UPSTREAM_REJECTED', 'openai: model_not_found'),
      ),
    ));

  it("waits for the gateway's Retry-After before trying an index job again", async () => {
    const backend = await startBackend({ gatewayUrl: gateway.url });
    const before = gateway.calls.length;
    const indexCalls = () => gateway.calls.slice(before).filter(isIndexCall);
    try {
      gateway.answer = on('/ai/v1/index', (request, res) => {
        if (indexCalls().length > 1) return healthyAnswer(request, res);
        sendJson(res, 503, gatewayProblem(503, 'DT_ERR_ENGINE_UNAVAILABLE', 'Chroma'), {
          'retry-after': '2',
        });
      });
      const user = await new ApiClient(backend.url).registerUser(uniqueEmail('outbox-503'));
      const id = await uploadText(user, 'Notes', 'Notes the gateway indexes on its second try.');
      await eventually(async () =>
        (await indexStatusOf(user, id)) === 'indexed' ? true : undefined,
      );
      const [first, second] = indexCalls();
      // The backoff alone would have tried again within 300 ms.
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    } finally {
      await backend.close();
    }
  });

  it('retries a delete a gateway answered 404 for the route, instead of taking it as done', async () => {
    const backend = await startBackend({ gatewayUrl: gateway.url });
    try {
      const user = await new ApiClient(backend.url).registerUser(uniqueEmail('outbox-404'));
      const id = await uploadText(user, 'Old notes', 'Notes that will be deleted.');
      await eventually(async () =>
        (await indexStatusOf(user, id)) === 'indexed' ? true : undefined,
      );
      const deletes = () =>
        gateway.calls.filter((call) => call.method === 'DELETE' && call.path.endsWith(`/${id}`));
      // A load balancer that routes nowhere yet: the real gateway answers an
      // unknown document 200, so a 404 cannot mean it is gone.
      gateway.answer = (request, res) => {
        if (request.method === 'DELETE' && deletes().length === 1) {
          sendJson(res, 404, gatewayProblem(404, 'DT_ERR_ROUTE_NOT_FOUND', 'no such route'));
        } else healthyAnswer(request, res);
      };
      expect((await user.delete(`/api/documents/${id}`)).status).toBe(204);
      await eventually(async () =>
        (await backend.stores.outbox.pendingCounts()).delete === 0 && deletes().length === 2
          ? true
          : undefined,
      );
    } finally {
      await backend.close();
    }
  });
});
