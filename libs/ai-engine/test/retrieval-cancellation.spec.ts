import { LibsqlVectorIndex } from '../src/retrieval/libsql-vector-index';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { OpenAiEmbedder } from '../src/retrieval/provider-embedders';
import { LocalProvider } from '../src/providers/local-provider';
import { OpenAiProvider } from '../src/providers/openai-provider';
import { ProviderChain } from '../src/providers/provider-chain';
import { RetrievalService } from '../src/service/retrieval-service';
import { corpusText } from './support/corpus';
import { providerServersClosedAfterEach } from './support/provider-test-server';
import { leaveOnceReceived } from './support/leaving-caller';
import { warmProviderSdks } from './support/warm-provider-sdks';

/** Accepted and never answered within any test. */
const HANG = { delayMs: 60_000, body: {} };
const APACHE = {
  documentId: 'apache',
  title: 'Apache License 2.0',
  text: corpusText('apache-2.0'),
};

const startServer = providerServersClosedAfterEach();

// The SDKs' first requests are slow; no test's timing pays for them.
beforeAll(warmProviderSdks);

// Found in review: ask, chat (streamed or not) and index kept paying for
// provider calls after their client had gone, and an index retried by the
// backend queued behind the abandoned one.
describe('RetrievalService when its caller leaves', () => {
  it.each(['ask', 'chat'] as const)(
    '%s: cancels the answering provider, asks no other, and answers nothing',
    async (operation) => {
      const hanging = await startServer(() => HANG);
      const embedder = new HashingEmbedder(384);
      const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
      const answerer = new ProviderChain(
        [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${hanging.url}/v1` }), new LocalProvider()],
        { resilience: { timeoutMs: 10_000, retries: 1 } },
      );
      const service = new RetrievalService({ embedder, vectorIndex, answerer });
      try {
        await service.index({ ownerId: 'reader', ...APACHE });
        const question = 'What happens to patent licenses if I institute patent litigation?';
        const started = performance.now();
        const call =
          operation === 'ask'
            ? service.ask({ ownerId: 'reader', question }, leaveOnceReceived(hanging, 1))
            : service.chat(
                { ownerId: 'reader', messages: [{ role: 'user', content: question }] },
                leaveOnceReceived(hanging, 1),
              );
        await expect(call).rejects.toMatchObject({ name: 'AbortError' });
        // Left at once: not the provider's 10 s timeout, not a local fallback.
        expect(performance.now() - started).toBeLessThan(3000);
        expect(hanging.requests).toHaveLength(1);
        // Leaving said nothing about the provider: its circuit is closed.
        expect(answerer.circuits()[0]?.state).toBe('closed');
      } finally {
        await vectorIndex.close();
      }
    },
  );

  it('index: stops embedding, and a call for the same document still waiting for it never starts', async () => {
    const hanging = await startServer(() => HANG);
    const embedder = new OpenAiEmbedder({
      apiKeys: 'sk',
      baseUrl: `${hanging.url}/v1`,
      dimensions: 8,
      timeoutMs: 10_000,
    });
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const service = new RetrievalService({ embedder, vectorIndex });
    try {
      const started = performance.now();
      const first = service.index(
        { ownerId: 'reader', ...APACHE },
        leaveOnceReceived(hanging, 1, 50),
      );
      // The backend's retry, queued behind the first, whose caller leaves first.
      const retry = service.index({ ownerId: 'reader', ...APACHE }, leaveOnceReceived(hanging, 1));
      await expect(first).rejects.toMatchObject({ name: 'AbortError' });
      await expect(retry).rejects.toMatchObject({ name: 'AbortError' });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(hanging.requests).toHaveLength(1);
      expect(await vectorIndex.countChunks('reader')).toBe(0);
    } finally {
      await vectorIndex.close();
    }
  });
});

describe('a caller that has already left', () => {
  it('gets AbortError from a provider embedder, and nothing is left unhandled', async () => {
    const server = await startServer(() => HANG);
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const gone = new AbortController();
      gone.abort();
      const embedder = new OpenAiEmbedder({
        apiKeys: 'sk',
        baseUrl: `${server.url}/v1`,
        dimensions: 8,
      });
      await expect(embedder.embed(['hello'], gone.signal)).rejects.toMatchObject({
        name: 'AbortError',
      });
      // Rejections still pending would surface within a few turns.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
      expect(server.requests).toHaveLength(0);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
