import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingMismatchError } from '../src/errors';
import { ProviderError } from '../src/providers/provider-error';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { GoogleEmbedder, OpenAiEmbedder } from '../src/retrieval/provider-embedders';
import { createAiEngine } from '../src/service/create-ai-engine';
import { corpusText } from './support/corpus';
import {
  openAiEmbedding,
  openAiEmbeddingsReply,
  startProviderServer,
  type ProviderTestServer,
  type RecordedRequest,
} from './support/provider-test-server';
import { leaveOnceReceived } from './support/leaving-caller';

/** Stands in for a provider's embedding model: the offline embedder at the requested size. */
function fakeEmbedding(text: string, dimensions: number): number[] {
  return Array.from(new HashingEmbedder(dimensions).embedOne(text));
}

const servers: ProviderTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('OpenAiEmbedder', () => {
  it('posts the texts with model and dimensions and keeps the input order', async () => {
    const server = await startProviderServer((request) => {
      const reply = openAiEmbeddingsReply(request.body, fakeEmbedding);
      // Deliberately out of order: the client must sort by index.
      return { body: { ...reply, data: [...reply.data].reverse() } };
    });
    servers.push(server);
    const embedder = new OpenAiEmbedder({
      apiKeys: 'sk-embed',
      baseUrl: `${server.url}/v1`,
      dimensions: 64,
    });
    const vectors = await embedder.embed(['source code', 'binary form']);

    expect(vectors.map((vector) => Array.from(vector))).toEqual(
      [fakeEmbedding('source code', 64), fakeEmbedding('binary form', 64)].map((v) =>
        Array.from(Float32Array.from(v)),
      ),
    );
    expect(server.requests[0]).toMatchObject({
      path: '/v1/embeddings',
      headers: { authorization: 'Bearer sk-embed' },
      body: {
        model: 'text-embedding-3-small',
        input: ['source code', 'binary form'],
        dimensions: 64,
      },
    });
    expect(embedder).toMatchObject({ model: 'text-embedding-3-small', dimensions: 64 });
  });

  it('retries a 503 once, does not retry a 400, and rejects a wrong dimension', async () => {
    let calls = 0;
    const flaky = await startProviderServer((request) => {
      calls += 1;
      return calls === 1
        ? { status: 503, body: {} }
        : { body: openAiEmbeddingsReply(request.body, fakeEmbedding) };
    });
    const rejecting = await startProviderServer(() => ({
      status: 400,
      body: { error: 'too long' },
    }));
    const wrongSize = await startProviderServer((request) => ({
      body: { data: [{ index: 0, embedding: openAiEmbedding(request.body, [1, 2, 3]) }] },
    }));
    servers.push(flaky, rejecting, wrongSize);

    expect(
      await new OpenAiEmbedder({ apiKeys: 'k', baseUrl: `${flaky.url}/v1`, dimensions: 8 }).embed([
        'x',
      ]),
    ).toHaveLength(1);
    expect(flaky.requests).toHaveLength(2);
    await expect(
      new OpenAiEmbedder({ apiKeys: 'k', baseUrl: `${rejecting.url}/v1`, dimensions: 8 }).embed([
        'x',
      ]),
    ).rejects.toMatchObject({
      kind: 'rejected',
      status: 400,
    });
    expect(rejecting.requests).toHaveLength(1);
    await expect(
      new OpenAiEmbedder({ apiKeys: 'k', baseUrl: `${wrongSize.url}/v1`, dimensions: 8 }).embed([
        'x',
      ]),
    ).rejects.toThrow(ProviderError);
  });
});

describe('an embedder whose provider does not answer in time', () => {
  // Found in review: the timeout left as cockatiel's TaskCancelledError, which
  // names no provider and which the gateway answered with 500.
  it.each([
    [
      'openai',
      (url: string) => new OpenAiEmbedder({ apiKeys: 'k', baseUrl: `${url}/v1`, timeoutMs: 50 }),
    ],
    ['google', (url: string) => new GoogleEmbedder({ apiKeys: 'k', baseUrl: url, timeoutMs: 50 })],
  ])('%s: fails with a ProviderError naming the provider', async (provider, embedderAt) => {
    const slow = await startProviderServer(() => ({ delayMs: 2000, body: {} }));
    servers.push(slow);
    const failure: unknown = await embedderAt(slow.url)
      .embed(['x'])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ provider, kind: 'server', retryable: true });
    expect((failure as Error).message).toMatch(/no answer within 50 ms/);
  });
});

describe('an embedding key that hangs', () => {
  /** OpenAI embeddings over two keys, each answer delayed by `delayMsOf` its request. */
  const twoKeyEmbedder = async (
    delayMsOf: (request: RecordedRequest) => number,
    timeoutMs: number,
  ) => {
    const server = await startProviderServer((request) => ({
      delayMs: delayMsOf(request),
      body: openAiEmbeddingsReply(request.body, fakeEmbedding),
    }));
    servers.push(server);
    const embedder = new OpenAiEmbedder({
      apiKeys: 'key-one, key-two',
      baseUrl: `${server.url}/v1`,
      dimensions: 8,
      timeoutMs,
    });
    const keysAsked = () => server.requests.map((request) => request.headers.authorization);
    return { server, embedder, keysAsked };
  };

  it('rests after its attempt timed out, so the next batches go straight to another key', async () => {
    const { embedder, keysAsked } = await twoKeyEmbedder(
      (request) => (request.headers.authorization === 'Bearer key-one' ? 5000 : 0),
      1000,
    );
    expect(await embedder.embed(['first'])).toHaveLength(1);
    expect(await embedder.embed(['second'])).toHaveLength(1);
    expect(keysAsked()).toEqual(['Bearer key-one', 'Bearer key-two', 'Bearer key-two']);
  });

  it('keeps its turn when the caller left, which says nothing of the key', async () => {
    let first = true;
    const { server, embedder, keysAsked } = await twoKeyEmbedder(() => {
      const delayMs = first ? 5000 : 0;
      first = false;
      return delayMs;
    }, 3000);
    await expect(embedder.embed(['left'], leaveOnceReceived(server, 1))).rejects.toThrow();
    await embedder.embed(['second']);
    await embedder.embed(['third']);
    expect(keysAsked()).toEqual(['Bearer key-one', 'Bearer key-two', 'Bearer key-one']);
  });
});

describe('GoogleEmbedder', () => {
  it('calls batchEmbedContents with one request per text', async () => {
    const server = await startProviderServer((request) => {
      const { requests } = request.body as {
        requests: Array<{ content: { parts: Array<{ text: string }> } }>;
      };
      return {
        body: {
          embeddings: requests.map((item) => ({
            values: fakeEmbedding(item.content.parts[0]?.text ?? '', 32),
          })),
        },
      };
    });
    servers.push(server);
    const vectors = await new GoogleEmbedder({
      apiKeys: 'gk',
      baseUrl: server.url,
      dimensions: 32,
    }).embed(['a licence', 'a patent']);
    expect(vectors).toHaveLength(2);
    expect(server.requests[0]?.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('gk');
    expect(server.requests[0]?.body).toMatchObject({
      requests: [{ model: 'models/text-embedding-004', outputDimensionality: 32 }, {}],
    });
  });
});

describe('a provider embedding in the engine', () => {
  it('indexes and searches with it, and the embedded index then refuses another model', async () => {
    const server = await startProviderServer((request) => ({
      body: openAiEmbeddingsReply(request.body, fakeEmbedding),
    }));
    servers.push(server);
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-provider-embeddings-'));
    try {
      const engine = await createAiEngine({
        dataDir,
        syncGraph: false,
        syncVector: true,
        providers: ['local'],
        providerKeys: { openai: 'sk' },
        providerBaseUrls: { openai: `${server.url}/v1` },
        embeddings: 'openai',
      });
      expect(engine.embedder).toMatchObject({ model: 'text-embedding-3-small', dimensions: 1536 });
      await engine.retrieval.index({
        ownerId: 'o',
        documentId: 'bsd',
        title: 'BSD',
        text: corpusText('bsd'),
      });
      const { hits } = await engine.retrieval.search({
        ownerId: 'o',
        query: 'binary form documentation',
        mode: 'vector',
      });
      expect(hits[0]?.text).toContain('binary form');
      const many = await engine.embedder.embed(
        Array.from({ length: 200 }, (_, index) => `text ${index}`),
      );
      expect(many).toHaveLength(200);
      // 96 texts per request at most.
      expect(
        server.requests
          .slice(-3)
          .map((request) => (request.body as { input: string[] }).input.length),
      ).toEqual([96, 96, 8]);
      await engine.close();

      await expect(
        createAiEngine({
          dataDir,
          syncGraph: false,
          syncVector: true,
          providers: ['local'],
          providerKeys: {},
        }),
      ).rejects.toBeInstanceOf(EmbeddingMismatchError);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
