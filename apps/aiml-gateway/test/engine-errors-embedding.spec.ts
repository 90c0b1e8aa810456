import { TaskCancelledError } from 'cockatiel';
import { GATEWAY_API } from '@docuthinker/contracts';
import { HashingEmbedder, ProviderError, type Embedder } from '@docuthinker/ai-engine';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/** The offline embedder, except that it fails with `failure` while one is set. */
class FailingEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  failure: unknown;
  private readonly inner = new HashingEmbedder(384);

  constructor() {
    this.model = this.inner.model;
    this.dimensions = this.inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.failure !== undefined) throw this.failure;
    return this.inner.embed(texts);
  }
}

const TEXT =
  'The harbour cranes were serviced in May. Two of them need new cables before the winter storms.';

// Found in review: an embedding provider that failed (the embedders throw
// ProviderError, outside the provider chain) answered 500 DT_ERR_INTERNAL on
// index, search, ask and chat, without Retry-After, logged as "unhandled error".
describe('the gateway when the embedding provider fails', () => {
  const embedder = new FailingEmbedder();
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ engine: { embedder }, captureLogs: true });
    const indexed = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.index,
      payload: { ownerId: 'alice', documentId: 'harbour', title: 'Harbour report', text: TEXT },
    });
    expect(indexed.statusCode).toBe(200);
  });
  afterEach(() => {
    embedder.failure = undefined;
  });
  afterAll(() => gateway?.close());

  const post = (url: string, payload: object) => gateway.service({ method: 'POST', url, payload });
  const index = () =>
    post(GATEWAY_API.index, {
      ownerId: 'alice',
      documentId: 'harbour-2',
      title: 'Harbour report',
      text: TEXT,
    });
  const unhandled = () => gateway.logs().filter((line) => line.msg === 'unhandled error');

  it.each([
    [
      'a 503 from the provider',
      () => new ProviderError('openai', 'server', 'HTTP 503: upstream overloaded', 503),
      '5',
    ],
    [
      'a 429 with the provider’s Retry-After',
      () =>
        new ProviderError('openai', 'rate-limited', 'HTTP 429: slow down', 429, {
          retryAfterMs: 11_500,
        }),
      '12',
    ],
    [
      'a connection failure',
      () => new ProviderError('google', 'network', 'request failed: ECONNRESET'),
      '5',
    ],
    ['a timeout', () => new TaskCancelledError('Operation timed out after 30000ms'), '5'],
  ])(
    'answers %s with 503 DT_ERR_PROVIDERS_UNAVAILABLE and Retry-After where the query must be embedded',
    async (_case, failure, retryAfter) => {
      embedder.failure = failure();
      for (const answer of [
        await index(),
        await post(GATEWAY_API.search, { ownerId: 'alice', query: 'cables', mode: 'vector' }),
      ]) {
        expect(answer.statusCode).toBe(503);
        expect(answer.headers['content-type']).toContain('application/problem+json');
        expect(answer.headers['retry-after']).toBe(retryAfter);
        expect(answer.json().code).toBe('DT_ERR_PROVIDERS_UNAVAILABLE');
        // The provider's error text (it can quote a response body) stays out of the answer.
        expect(answer.body).not.toMatch(/overloaded|slow down|ECONNRESET/);
      }
      expect(unhandled()).toEqual([]);
    },
  );

  it('ranks a hybrid search, ask and chat by terms alone while the query cannot be embedded, marked degraded where the contract can say so', async () => {
    const lexical = await post(GATEWAY_API.search, {
      ownerId: 'alice',
      query: 'cables winter storms',
      mode: 'lexical',
    });
    embedder.failure = new ProviderError('openai', 'server', 'HTTP 503', 503);

    const search = await post(GATEWAY_API.search, {
      ownerId: 'alice',
      query: 'cables winter storms',
    });
    expect(search.statusCode).toBe(200);
    expect(search.json().hits).toEqual(lexical.json().hits);
    expect(search.json().hits[0].documentId).toBe('harbour');

    const ask = await post(GATEWAY_API.ask, {
      ownerId: 'alice',
      question: 'What do the cranes need before the winter storms?',
    });
    expect(ask.statusCode).toBe(200);
    expect(ask.json()).toMatchObject({
      degraded: true,
      citations: [expect.objectContaining({ documentId: 'harbour' })],
    });

    const chat = await post(GATEWAY_API.chat, {
      ownerId: 'alice',
      messages: [{ role: 'user', content: 'What do the cranes need before the winter storms?' }],
    });
    expect(chat.statusCode).toBe(200);
    expect(chat.json()).toMatchObject({
      degraded: true,
      citations: [expect.objectContaining({ documentId: 'harbour' })],
    });

    embedder.failure = undefined;
    const healthy = await post(GATEWAY_API.ask, {
      ownerId: 'alice',
      question: 'What do the cranes need before the winter storms?',
    });
    expect(healthy.json().degraded).toBe(false);
    expect(unhandled()).toEqual([]);
  });

  it.each([
    ['refused the input (4xx)', new ProviderError('openai', 'rejected', 'HTTP 400: secret', 400)],
    [
      'answered something unusable',
      new ProviderError('openai', 'malformed', 'returned 3 dimensions, expected 384'),
    ],
  ])(
    'answers a provider that %s with 502 DT_ERR_UPSTREAM_REJECTED and no Retry-After',
    async (_case, failure) => {
      embedder.failure = failure;
      const answer = await index();
      expect(answer.statusCode).toBe(502);
      expect(answer.headers['retry-after']).toBeUndefined();
      expect(answer.json()).toMatchObject({
        code: 'DT_ERR_UPSTREAM_REJECTED',
        detail: expect.stringContaining(`openai: ${failure.kind}`),
      });
      expect(answer.body).not.toMatch(/secret|dimensions/);
      expect(unhandled()).toEqual([]);
      // What the client is not told, the operator's log is.
      expect(
        gateway
          .logs()
          .some(
            (line) =>
              line.level === 40 &&
              line.msg === 'DT_ERR_UPSTREAM_REJECTED' &&
              JSON.stringify((line as { err?: unknown }).err).includes(failure.message),
          ),
      ).toBe(true);
    },
  );
});
