import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import { LocalProvider } from '../src/providers/local-provider';
import { OpenAiProvider } from '../src/providers/openai-provider';
import { ProviderChain } from '../src/providers/provider-chain';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { RetrievalService } from '../src/service/retrieval-service';
import { analyzeDocument } from '../src/service/analyze-document';
import { LibsqlVectorIndex } from '../src/retrieval/libsql-vector-index';
import { corpusText } from './support/corpus';
import { FAST } from './support/fast-resilience';
import { leaveOnceReceived } from './support/leaving-caller';
import { openAiReply, providerServersClosedAfterEach } from './support/provider-test-server';
import { warmProviderSdks } from './support/warm-provider-sdks';

const server = providerServersClosedAfterEach();

describe('analyzeDocument (the /analyze contract served locally)', () => {
  const providers = new ProviderChain([new LocalProvider()]);
  const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
  const retrieval = new RetrievalService({ embedder: new HashingEmbedder(), knowledgeGraph });

  afterAll(() => knowledgeGraph.close());

  it('fills every field of the contract from the offline engine and answers the question from the document', async () => {
    const response = await analyzeDocument(
      {
        document: corpusText('bsd'),
        question: 'What must a redistribution of source code retain?',
        translate_lang: 'es',
        metadata: { title: 'BSD' },
      },
      { providers, retrieval },
    );
    expect(response.summary).toContain('Redistributions of source code must retain');
    expect(response.topics.length).toBeGreaterThan(3);
    expect(response.qa).toMatch(/^Redistributions of source code must retain/);
    expect(response.rag.qa_answer).toBe(response.qa);
    expect(response.rag.citations[0]?.snippet).toContain('must retain');
    expect(response.rag.supporting_context.length).toBe(response.rag.citations.length);
    expect(response.discussion.length).toBeGreaterThan(0);
    expect(response.insights.length).toBeGreaterThan(0);
    expect(response.sentiment).toMatchObject({
      label: 'negative',
      rationale: expect.stringMatching(/negative/),
    });
    expect(response.sentiment.confidence).toBeGreaterThan(0);
    // The offline engine cannot translate, so there is no translation and the answer says it is degraded.
    expect(response.translation).toBeNull();
    expect(response.degraded).toBe(true);
    expect(response.metadata).toEqual({ title: 'BSD' });
    // No document to index: the graph is skipped; the vector index is off and says so.
    expect(response.sync).toEqual({ graph: 'skipped', vector_store: 'disabled' });
    expect(new Set(Object.values(response.providers))).toEqual(new Set(['local']));
  });

  it('cuts citation snippets at a character, never inside an emoji', async () => {
    // The 320th code unit is the first half of the emoji (found in review).
    const opening = 'Kestrel answers the question about falcons here ';
    const document = `${opening}${'a'.repeat(319 - opening.length)}\u{1F600} and more words about falcons follow here.`;
    const response = await analyzeDocument(
      { document, question: 'What about falcons?' },
      { providers, retrieval },
    );
    expect(response.rag.citations.length).toBeGreaterThan(0);
    for (const { snippet } of response.rag.citations) {
      // A lone surrogate does not survive UTF-8: it comes back as U+FFFD.
      expect(Buffer.from(snippet, 'utf8').toString('utf8')).toBe(snippet);
      expect(snippet.length).toBeLessThanOrEqual(320);
    }
  });

  it('indexes for the caller when an owner and document id are given, reporting disabled stores', async () => {
    const response = await analyzeDocument(
      { document: corpusText('mpl-2.0') },
      { providers, retrieval, ownerId: 'owner', documentId: 'mpl' },
    );
    expect(response.document_id).toBe('mpl');
    expect(response.sync).toEqual({ graph: 'indexed', vector_store: 'disabled' });
    expect(response.qa).toBeNull();
    expect(response.degraded).toBe(false);
    expect((await retrieval.topEntities('owner', 3)).length).toBe(3);
  });

  // Found by an exploratory test: without metadata.title the document was
  // indexed under "", and related documents listed it with an empty title.
  it.each([
    [
      'its first line that shows something',
      '\u200b\n  Marie Curie in Paris  \nShe discovered radium.',
      'Marie Curie in Paris',
    ],
    [
      'that line cut at a word',
      `${'Radium and polonium were discovered in Paris by Marie Curie '.repeat(4)}\nMore.`,
      'Radium and polonium were discovered in Paris by Marie Curie Radium and polonium were discovered in Paris by Marie Curie…',
    ],
    // Found in review: a cut between the halves of an emoji left a lone surrogate.
    [
      'a cut that keeps emoji whole',
      `Marie Curie X${'😀'.repeat(100)}\nShe discovered radium in Paris.`,
      `Marie Curie X${'😀'.repeat(53)}…`,
    ],
  ])('indexes a document sent without a title under %s', async (_case, document, title) => {
    const graph = LibsqlKnowledgeGraph.open(':memory:');
    const indexing = new RetrievalService({
      embedder: new HashingEmbedder(),
      knowledgeGraph: graph,
    });
    try {
      for (const documentId of ['curie', 'curie-again']) {
        await analyzeDocument(
          { document },
          { providers, retrieval: indexing, ownerId: 'owner', documentId },
        );
      }
      const related = await graph.relatedDocuments('owner', 'curie', 5);
      expect(related.map((document) => document.title)).toEqual([title]);
    } finally {
      await graph.close();
    }
  });

  it('rejects an empty document', async () => {
    await expect(analyzeDocument({ document: ' ' }, { providers, retrieval })).rejects.toThrow(
      /document/,
    );
  });

  // Found in review: the offline engine refuses to translate, so with the one
  // translating provider down the chain ran out and the whole analysis was a 503.
  it('answers without a translation, degraded, when the only translator is down', async () => {
    await warmProviderSdks();
    const openai = await server(() => ({ status: 503, body: { error: { message: 'down' } } }));
    const withTranslator = new ProviderChain(
      [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }), new LocalProvider()],
      { resilience: { ...FAST, retries: 0 } },
    );
    const response = await analyzeDocument(
      { document: corpusText('bsd'), translate_lang: 'fr' },
      { providers: withTranslator, retrieval },
    );
    expect(openai.requests.length).toBeGreaterThan(0);
    expect(response.translation).toBeNull();
    expect(response.degraded).toBe(true);
    expect(response.summary).toContain('Redistributions of source code must retain');
  });
});

// Found in review: the gateway passed its client's signal in, but the local
// path dropped it, so an /analyze whose client had left still paid for its
// five provider calls and then indexed the document.
describe('analyzeDocument when its caller leaves', () => {
  /** Answers, but only after the caller has long gone. */
  const SLOW = { delayMs: 2000, body: openAiReply('A summary nobody waits for.') };
  const OWNER = { ownerId: 'leaver', documentId: 'bsd' };

  beforeAll(warmProviderSdks);

  async function openAiFirst() {
    const openai = await server(() => SLOW);
    const providers = new ProviderChain(
      [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }), new LocalProvider()],
      { resilience: { timeoutMs: 10_000, retries: 0 } },
    );
    const embedder = new HashingEmbedder(384);
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    const retrieval = new RetrievalService({ embedder, vectorIndex, knowledgeGraph });
    return {
      openai,
      providers,
      retrieval,
      indexed: async () => ({
        chunks: await vectorIndex.countChunks(OWNER.ownerId),
        documents: (await knowledgeGraph.stats(OWNER.ownerId)).documents,
      }),
      close: async () => {
        await vectorIndex.close();
        await knowledgeGraph.close();
      },
    };
  }

  it('cancels the provider calls under way, falls back to none, and indexes nothing', async () => {
    const { openai, providers, retrieval, indexed, close } = await openAiFirst();
    try {
      const started = performance.now();
      // Once every part is with the provider, as in the reported case.
      const analysis = analyzeDocument(
        { document: corpusText('bsd'), question: 'What must a redistribution retain?' },
        { providers, retrieval, ...OWNER },
        leaveOnceReceived(openai, 6),
      );
      await expect(analysis).rejects.toMatchObject({ name: 'AbortError' });
      // Left at once: not the provider's 2 s answer, and not the offline engine's.
      expect(performance.now() - started).toBeLessThan(1500);
      expect(openai.requests).toHaveLength(6);
      expect(await indexed()).toEqual({ chunks: 0, documents: 0 });
      // Leaving said nothing about the provider: its circuit is closed.
      expect(providers.circuits()[0]?.state).toBe('closed');
    } finally {
      await close();
    }
  });

  it('starts no provider call, and no index, for a caller already gone', async () => {
    const { openai, providers, retrieval, indexed, close } = await openAiFirst();
    try {
      const gone = new AbortController();
      gone.abort();
      await expect(
        analyzeDocument(
          { document: corpusText('bsd'), question: 'What must a redistribution retain?' },
          { providers, retrieval, ...OWNER },
          gone.signal,
        ),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(openai.requests).toHaveLength(0);
      expect(await indexed()).toEqual({ chunks: 0, documents: 0 });
    } finally {
      await close();
    }
  });
});
