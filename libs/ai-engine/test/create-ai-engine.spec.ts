import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, UnknownTaskError } from '../src/errors';
import { createAiEngine, type AiEngineConfig } from '../src/service/create-ai-engine';
import { corpusText } from './support/corpus';
import {
  anthropicReply,
  openAiReply,
  startProviderServer,
  type ProviderTestServer,
} from './support/provider-test-server';
import { warmProviderSdks } from './support/warm-provider-sdks';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-factory-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const embedded: AiEngineConfig = {
  dataDir,
  syncGraph: true,
  syncVector: true,
  providers: ['local'],
  providerKeys: {},
};

describe('createAiEngine', () => {
  it('builds an embedded engine under the data directory that survives a restart', async () => {
    const engine = await createAiEngine(embedded);
    expect(engine.vectorIndex?.kind).toBe('libsql');
    expect(engine.knowledgeGraph?.kind).toBe('libsql');
    const indexed = await engine.retrieval.index({
      ownerId: 'o',
      documentId: 'bsd',
      title: 'BSD',
      text: corpusText('bsd'),
    });
    expect(indexed.vector.upserted).toBe(indexed.chunks);
    expect(await engine.readiness()).toEqual({
      ready: true,
      dependencies: [
        { name: 'vector-index', adapter: 'libsql', state: 'up' },
        { name: 'knowledge-graph', adapter: 'libsql', state: 'up' },
      ],
      providers: [
        { provider: 'local', model: 'docuthinker-offline-extractive-v1', state: 'closed' },
      ],
    });
    await engine.close();

    const reopened = await createAiEngine(embedded);
    const { hits } = await reopened.retrieval.search({
      ownerId: 'o',
      query: 'binary form documentation',
    });
    expect(hits[0]?.documentId).toBe('bsd');
    expect((await reopened.readiness()).dependencies[0]?.state).toBe('up');
    await reopened.close();
    expect((await reopened.readiness()).ready).toBe(false);
  });

  // Found by an exploratory test: a Chroma that accepts connections and never
  // answers held the whole report past the gateway's bound on it, and /ready
  // lost the other store's state and every provider circuit.
  it('reports a store whose probe never answers as down within its own bound, and the rest as they are', async () => {
    const engine = await createAiEngine(embedded);
    const vectorIndex = engine.vectorIndex as { ping(): Promise<void> };
    vectorIndex.ping = () => new Promise<void>(() => undefined);
    try {
      const started = performance.now();
      const readiness = await engine.readiness();
      expect(performance.now() - started).toBeLessThan(1900);
      expect(readiness).toEqual({
        ready: false,
        dependencies: [
          {
            name: 'vector-index',
            adapter: 'libsql',
            state: 'down',
            error: 'no answer within 1500 ms',
          },
          { name: 'knowledge-graph', adapter: 'libsql', state: 'up' },
        ],
        providers: [
          { provider: 'local', model: 'docuthinker-offline-extractive-v1', state: 'closed' },
        ],
      });
    } finally {
      await engine.close();
    }
  });

  it('reports disabled indexes when sync is off', async () => {
    const engine = await createAiEngine({ ...embedded, syncGraph: false, syncVector: false });
    const result = await engine.retrieval.index({
      ownerId: 'o',
      documentId: 'd',
      title: 't',
      text: corpusText('bsd'),
    });
    expect(result.vector.enabled).toBe(false);
    expect(result.graph.enabled).toBe(false);
    expect((await engine.readiness()).dependencies.map((d) => d.state)).toEqual([
      'disabled',
      'disabled',
    ]);
    await engine.close();
  });

  it('runs tasks through the chain and rejects unknown tasks and empty text', async () => {
    const engine = await createAiEngine({ ...embedded, syncGraph: false, syncVector: false });
    const response = await engine.runTask('sentiment', {
      text: 'A wonderful, reliable and excellent release.',
    });
    expect(response).toMatchObject({
      task: 'sentiment',
      provider: 'local',
      degraded: false,
      output: { label: 'positive' },
    });
    await expect(engine.runTask('poetry' as 'summary', { text: 'x' })).rejects.toBeInstanceOf(
      UnknownTaskError,
    );
    await expect(engine.runTask('summary', { text: '  ' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await engine.close();
  });

  it('refuses a provider list that names a provider without its key or URL', async () => {
    await expect(createAiEngine({ ...embedded, providers: ['openai', 'local'] })).rejects.toThrow(
      /no openai API key/,
    );
    await expect(createAiEngine({ ...embedded, providers: ['upstream', 'local'] })).rejects.toThrow(
      /no upstream URL/,
    );
  });

  describe('with remote providers', () => {
    let openai: ProviderTestServer;
    let upstream: ProviderTestServer;

    beforeAll(async () => {
      // The SDKs' first requests are slow; no test's timing pays for them.
      await warmProviderSdks();
      openai = await startProviderServer(() => ({
        body: openAiReply('They must retain the copyright notice [1].'),
      }));
      upstream = await startProviderServer(() => ({
        status: 500,
        body: { detail: 'model not loaded' },
      }));
    });

    afterAll(async () => {
      await openai.close();
      await upstream.close();
    });

    it('answers questions with a remote provider and maps its [n] citations to chunks', async () => {
      const engine = await createAiEngine({
        ...embedded,
        dataDir: join(dataDir, 'remote'),
        providers: ['upstream', 'openai', 'local'],
        upstreamUrl: upstream.url,
        providerKeys: { openai: 'sk-one,sk-two' },
        providerBaseUrls: { openai: `${openai.url}/v1` },
        resilience: { retries: 0, timeoutMs: 2000 },
      });
      await engine.retrieval.index({
        ownerId: 'o',
        documentId: 'bsd',
        title: 'BSD',
        text: corpusText('bsd'),
      });
      const answer = await engine.retrieval.ask({
        ownerId: 'o',
        question: 'What must a redistribution of source code retain?',
      });
      expect(answer).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o-mini-2024-07-18',
        degraded: false,
      });
      expect(answer.answer).toBe('They must retain the copyright notice [1].');
      expect(answer.citations).toHaveLength(1);
      expect(answer.citations[0]?.documentId).toBe('bsd');
      const prompt = JSON.stringify(openai.requests[0]?.body);
      expect(prompt).toContain('[1]');
      expect(prompt).toContain('Redistributions of source code must retain');
      expect(engine.providers.circuits().map((c) => c.provider)).toEqual([
        'upstream',
        'openai',
        'local',
      ]);
      expect(openai.requests[0]?.path).toBe('/v1/chat/completions');
      await engine.close();
    });

    it('wires the configured models, base URLs, per-task orders and the chain deadline', async () => {
      const slow = await startProviderServer((request) =>
        JSON.stringify(request.body).includes('Redistributions')
          ? { delayMs: 5000, body: openAiReply('too late') }
          : { body: openAiReply('A quick answer.') },
      );
      // The key ideas of the BSD text are a list, the summary a sentence.
      // Answering as the model asked for, as the API does for a model it serves.
      const anthropic = await startProviderServer((request) => ({
        body: {
          ...anthropicReply(
            JSON.stringify(request.body).includes('Redistributions')
              ? '- An idea from Anthropic.\n- Another idea.'
              : 'Summary from Anthropic.',
          ),
          model: (request.body as { model?: string }).model,
        },
      }));
      try {
        const engine = await createAiEngine({
          ...embedded,
          syncGraph: false,
          syncVector: false,
          providers: ['openai', 'anthropic', 'local'],
          providerKeys: { openai: 'sk', anthropic: 'ak' },
          providerModels: { openai: 'gpt-test', anthropic: 'claude-test' },
          providerBaseUrls: { openai: `${slow.url}/v1`, anthropic: anthropic.url },
          taskProviders: { summary: ['anthropic', 'local'], sentiment: ['local'] },
          providerDeadlineMs: 2000,
          resilience: { retries: 2, timeoutMs: 4000, initialBackoffMs: 10 },
        });

        expect(await engine.runTask('summary', { text: 'A short text.' })).toMatchObject({
          provider: 'anthropic',
          model: 'claude-test',
          output: 'Summary from Anthropic.',
        });
        expect(anthropic.requests[0]?.body).toMatchObject({ model: 'claude-test' });
        expect(await engine.runTask('sentiment', { text: 'A good text.' })).toMatchObject({
          provider: 'local',
          degraded: false,
        });

        // OpenAI hangs on the BSD text: its share of the 2 s deadline, not
        // 3 × 4 s of attempts, ends its turn, and Anthropic gets the rest.
        const late = await engine.runTask('key-ideas', { text: corpusText('bsd') });
        expect(late).toMatchObject({ provider: 'anthropic', degraded: false });
        expect(anthropic.requests).toHaveLength(2);
        expect(slow.requests).toHaveLength(1);
        expect(slow.requests[0]).toMatchObject({
          path: '/v1/chat/completions',
          body: { model: 'gpt-test' },
        });
        await engine.close();
      } finally {
        await slow.close();
        await anthropic.close();
      }
    });
  });
});
