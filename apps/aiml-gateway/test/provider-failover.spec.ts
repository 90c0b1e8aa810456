import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_API } from '@docuthinker/contracts';
import type { AiEngineConfig } from '@docuthinker/ai-engine';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/** What the stub answers: a status, headers and a JSON body. */
interface StubAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

/** A chat completion of `content`, as OpenAI answers one. */
const completion = (content: string): StubAnswer => ({
  body: {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
  },
});

const SERVER_ERROR: StubAnswer = { status: 500, body: { error: { message: 'overloaded' } } };

/**
 * A local server speaking OpenAI's chat-completions wire format, as the
 * exploratory test that found these used (DOCUTHINKER_OPENAI_BASE_URL).
 */
async function startOpenAiStub(answer: (index: number) => StubAnswer) {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const { status = 200, headers = {}, body } = answer(received);
      received += 1;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SECRET_KEY = 'sk-test-do-not-log';
const DOCUMENT = 'Quokkas are small marsupials that live on Rottnest Island near Perth.';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly reqId?: string;
  readonly provider?: string;
  readonly circuit?: string;
}

describe('provider failures as the gateway reports them', () => {
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>;
  let gateway: TestGateway;

  /** The gateway with OpenAI at the stub, and `engine`'s settings. */
  async function start(answer: (index: number) => StubAnswer, engine: Partial<AiEngineConfig>) {
    stub = await startOpenAiStub(answer);
    gateway = await startTestGateway({
      engine: {
        providers: ['openai', 'local'],
        providerKeys: { openai: SECRET_KEY },
        ...engine,
        // OpenAI at the stub, beside any other provider's address a test gives.
        providerBaseUrls: { ...engine.providerBaseUrls, openai: stub.baseUrl },
      },
      captureLogs: true,
    });
  }
  /** Stubs of providers other than OpenAI that a test started. */
  const otherStubs: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await gateway.close();
    await stub.close();
    await Promise.all(otherStubs.splice(0).map((other) => other.close()));
  });

  const summary = (requestId: string) =>
    gateway.service({
      method: 'POST',
      url: GATEWAY_API.task('summary'),
      headers: { 'x-request-id': requestId },
      payload: { text: DOCUMENT },
    });
  const logs = () => gateway.logs() as LogLine[];
  const failoverLines = () => logs().filter((line) => / failed \(/.test(line.msg));
  const circuitLines = () => logs().filter((line) => line.circuit !== undefined);

  // Found in an exploratory test: a call served by the offline engine after
  // OpenAI failed left no log line, only /metrics counters.
  it('logs one line per provider that failed in a call served after it, with the request id', async () => {
    await start(() => SERVER_ERROR, {
      // Generous: a first SDK request on a loaded machine must not read as a timeout.
      resilience: {
        retries: 1,
        timeoutMs: 10_000,
        initialBackoffMs: 10,
        maxBackoffMs: 20,
        breakerThreshold: 2,
        halfOpenAfterMs: 60_000,
      },
    });

    const first = await summary('failover-1');
    expect(first.json()).toMatchObject({ provider: 'local', degraded: true });
    // Retried once: two requests, one line.
    expect(stub.received()).toBe(2);
    expect(failoverLines()).toEqual([
      expect.objectContaining({
        level: 40,
        reqId: 'failover-1',
        provider: 'openai',
        task: 'summary',
        reason: 'server',
        status: 500,
        servedBy: 'local',
        msg: 'openai failed (server, HTTP 500): local served the summary call',
      }),
    ]);
    expect(circuitLines()).toEqual([]);

    // The second failed call opens the circuit: its line, and the circuit's.
    await summary('failover-2');
    expect(failoverLines().map((line) => line.reqId)).toEqual(['failover-1', 'failover-2']);
    expect(circuitLines()).toEqual([
      expect.objectContaining({
        level: 40,
        provider: 'openai',
        circuit: 'open',
        openForMs: 60_000,
      }),
    ]);

    // Refused by the open circuit: nothing more is logged for it but its request line.
    const refused = await summary('failover-3');
    expect(refused.json()).toMatchObject({ provider: 'local', degraded: true });
    expect(stub.received()).toBe(4);
    expect(failoverLines()).toHaveLength(2);
    expect(circuitLines()).toHaveLength(1);

    const written = JSON.stringify(logs());
    expect(written).not.toContain(SECRET_KEY);
    expect(written).not.toContain('Quokkas');
    expect(written).not.toContain('overloaded');
  });

  // Found in an exploratory test: the 503's warn line carried 200 characters
  // of each provider's error text, which quoted the prompt (system prompt and
  // document), and the key-quarantine line the key OpenAI echoed back.
  it('logs how providers failed, never their error text, and tells the client no more', async () => {
    const anthropic = await startOpenAiStub(() => ({
      status: 400,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: `prompt rejected: ${DOCUMENT}` },
      },
    }));
    otherStubs.push(anthropic);
    await start(
      () => ({
        status: 400,
        body: {
          error: {
            message: `Invalid 'messages': 'You are DocuThinker, a careful analyst … ${DOCUMENT}'`,
            type: 'invalid_request_error',
          },
        },
      }),
      {
        providers: ['openai', 'anthropic'],
        providerKeys: { openai: SECRET_KEY, anthropic: 'ak-test' },
        // The Anthropic SDK adds `/v1` itself.
        providerBaseUrls: { anthropic: anthropic.baseUrl.slice(0, -'/v1'.length) },
        resilience: { retries: 0, timeoutMs: 10_000 },
      },
    );

    const exhausted = await summary('all-rejected');
    expect(exhausted.statusCode).toBe(502);
    expect(exhausted.json()).toMatchObject({
      code: 'DT_ERR_PROVIDERS_REFUSED',
      detail:
        'summary: every provider asked refused this request (openai: failed, anthropic: failed)',
    });
    const [warning] = logs().filter((line) => line.msg === 'DT_ERR_PROVIDERS_REFUSED');
    expect(warning).toMatchObject({
      level: 40,
      err: {
        code: 'DT_ERR_PROVIDERS_REFUSED',
        message: expect.stringMatching(
          /openai: failed \(rejected, HTTP 400, invalid_request_error\).*anthropic: failed \(rejected, HTTP 400, invalid_request_error\)/,
        ),
      },
    });
    const quoted = /Quokkas|DocuThinker, a careful|prompt rejected|Invalid 'messages'/;
    expect(JSON.stringify(logs())).not.toMatch(quoted);
    expect(exhausted.body).not.toMatch(quoted);
  });

  // Found in review: a request every provider refused (400) answered 503
  // with Retry-After, which told users to try again shortly, to be refused again.
  it('answers 502 without Retry-After when every provider asked refused the request', async () => {
    const refusal = {
      status: 400,
      body: { error: { message: 'context length exceeded', type: 'invalid_request_error' } },
    };
    await start(() => refusal, { resilience: { retries: 0, timeoutMs: 10_000 } });
    const translation = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.task('summary-in-language'),
      payload: { text: DOCUMENT, options: { language: 'fr' } },
    });
    expect(translation.statusCode).toBe(502);
    expect(translation.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(translation.json()).toMatchObject({
      code: 'DT_ERR_PROVIDERS_REFUSED',
      detail: expect.stringContaining('openai: failed, local: unsupported'),
    });
    expect(translation.headers['retry-after']).toBeUndefined();
  });

  it('answers 503 with Retry-After when one refused and another is down', async () => {
    const anthropic = await startOpenAiStub(() => SERVER_ERROR);
    otherStubs.push(anthropic);
    await start(
      () => ({
        status: 400,
        body: { error: { message: 'context length exceeded', type: 'invalid_request_error' } },
      }),
      {
        providers: ['openai', 'anthropic'],
        providerKeys: { openai: SECRET_KEY, anthropic: 'ak-test' },
        providerBaseUrls: { anthropic: anthropic.baseUrl.slice(0, -'/v1'.length) },
        resilience: { retries: 0, timeoutMs: 10_000 },
      },
    );
    const mixed = await summary('mixed');
    expect(mixed.statusCode).toBe(503);
    expect(mixed.json()).toMatchObject({
      code: 'DT_ERR_PROVIDERS_UNAVAILABLE',
      detail: 'summary: openai: failed, anthropic: failed',
    });
    expect(mixed.headers['retry-after']).toBe('5');
  });

  it('logs a quarantined key by its place in the pool, status and error code, never the key OpenAI echoes', async () => {
    await start(
      () => ({
        status: 401,
        body: {
          error: {
            message:
              'Incorrect API key provided: sk-only-****7777. You can find your API key at https://platform.openai.com/account/api-keys.',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
      }),
      { resilience: { retries: 0, timeoutMs: 10_000 } },
    );
    expect((await summary('revoked')).json()).toMatchObject({ provider: 'local' });
    const quarantined = logs().filter((line) => /quarantined/.test(line.msg));
    expect(quarantined).toEqual([
      expect.objectContaining({
        level: 40,
        provider: 'openai',
        key: 'key 1 of 1',
        status: 401,
        code: 'invalid_api_key',
      }),
    ]);
    expect(failoverLines()).toEqual([
      expect.objectContaining({ provider: 'openai', reason: 'auth', status: 401 }),
    ]);
    expect(JSON.stringify(logs())).not.toMatch(/\*\*\*\*7777|Incorrect API key/);
  });

  // Found in an exploratory test: with OpenAI alone, a call its open circuit
  // refused answered Retry-After 5 while the circuit stayed open 30 s.
  it('answers 503 with the open circuit’s remaining time as Retry-After', async () => {
    await start(() => SERVER_ERROR, {
      providers: ['openai'],
      resilience: { retries: 0, timeoutMs: 10_000, breakerThreshold: 1, halfOpenAfterMs: 30_000 },
    });

    const opening = await summary('opening');
    expect(opening.statusCode).toBe(503);
    expect(opening.json().code).toBe('DT_ERR_PROVIDERS_UNAVAILABLE');
    expect(opening.headers['retry-after']).toBe('30');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await summary('refused');
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({
      code: 'DT_ERR_PROVIDERS_UNAVAILABLE',
      detail: 'summary: openai: circuit-open',
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(28);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(29);
    expect(stub.received()).toBe(1);
  });

  // Found in an exploratory test: after a 429 with Retry-After 20 on the only
  // key, /ready said OpenAI was `closed` while every call passed it over.
  it('shows in /ready a provider whose every key rests, and for how long', async () => {
    await start(
      () => ({
        status: 429,
        headers: { 'retry-after': '20' },
        body: { error: { message: 'quota' } },
      }),
      { resilience: { retries: 0, timeoutMs: 10_000 } },
    );
    const before = (await gateway.app.inject({ method: 'GET', url: '/ready' })).json();
    expect(before.providers).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', state: 'closed' },
      { provider: 'local', model: expect.any(String), state: 'closed' },
    ]);

    expect((await summary('rate-limited')).json()).toMatchObject({ provider: 'local' });
    const ready = await gateway.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    const [openai, local] = ready.json().providers;
    expect(openai).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      state: 'closed',
      keys: 'resting',
      retryAfterMs: expect.any(Number),
    });
    expect(openai.retryAfterMs).toBeGreaterThan(18_000);
    expect(openai.retryAfterMs).toBeLessThanOrEqual(20_000);
    expect(local).toEqual(before.providers[1]);
  });

  // Found in an exploratory test: "[99]" and "[0]" in a model's answer to an
  // ask with one citation came back in the text.
  it('drops citation markers that name no passage from an answer', async () => {
    await start(
      () => completion('Quokkas live on Rottnest Island [1][99]. They are marsupials [0].'),
      {
        resilience: { retries: 0, timeoutMs: 10_000 },
      },
    );
    const indexed = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.index,
      payload: { ownerId: 'o', documentId: 'quokkas', title: 'Quokkas', text: DOCUMENT },
    });
    expect(indexed.statusCode).toBe(200);

    const asked = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.ask,
      payload: { ownerId: 'o', question: 'Where do quokkas live?' },
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.json()).toMatchObject({
      answer: 'Quokkas live on Rottnest Island [1]. They are marsupials.',
      citations: [expect.objectContaining({ documentId: 'quokkas' })],
      provider: 'openai',
    });
    expect(asked.json().citations).toHaveLength(1);
  });
});
