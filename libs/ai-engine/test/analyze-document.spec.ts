import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import { LocalProvider } from '../src/providers/local-provider';
import { OpenAiProvider } from '../src/providers/openai-provider';
import { ProviderChain } from '../src/providers/provider-chain';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { RetrievalService } from '../src/service/retrieval-service';
import { analyzeDocument } from '../src/service/analyze-document';
import { corpusText } from './support/corpus';
import { FAST } from './support/fast-resilience';
import { providerServersClosedAfterEach } from './support/provider-test-server';
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
