import {
  IndexDisabledError,
  InvalidInputError,
  OwnerErasedError,
  VectorWriteRejectedError,
} from '../src/errors';
import { NO_ANSWER } from '../src/offline/answer-from-context';
import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import type { AiProvider, ProviderReply } from '../src/providers/ai-provider';
import { parseAnswer } from '../src/providers/streamed-answer';
import { ProviderChain } from '../src/providers/provider-chain';
import { ProviderError } from '../src/providers/provider-error';
import type { Embedder } from '../src/retrieval/embedder';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { LibsqlVectorIndex } from '../src/retrieval/libsql-vector-index';
import { MAX_QUERY_CHARS, RetrievalService } from '../src/service/retrieval-service';
import type { AnswerOutput, AnswerRequest } from '../src/tasks/task-types';
import { describeConcurrentIndexing } from './support/concurrent-indexing';
import { corpusText } from './support/corpus';
import { CORPUS_QUESTIONS, normalisePassage } from './support/corpus-questions';
import { bsdDocxText, mimeSpecPdfText } from './support/corpus-extracts';

const embedder = new HashingEmbedder(384);
const APACHE = {
  documentId: 'apache',
  title: 'Apache License 2.0',
  text: corpusText('apache-2.0'),
};
const MPL = { documentId: 'mpl', title: 'Mozilla Public License 2.0', text: corpusText('mpl-2.0') };
const BSD = { documentId: 'bsd', title: 'BSD licence', text: corpusText('bsd') };
const CORPUS = [APACHE, MPL, BSD];

function embeddedService(): { service: RetrievalService; close: () => Promise<void> } {
  const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
  const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
  const service = new RetrievalService({ embedder, vectorIndex, knowledgeGraph });
  return {
    service,
    close: async () => {
      await vectorIndex.close();
      await knowledgeGraph.close();
    },
  };
}

describeConcurrentIndexing('embedded', async () => {
  const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
  const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
  return {
    service: new RetrievalService({ embedder, vectorIndex, knowledgeGraph }),
    vectorIndex,
    close: async () => {
      await vectorIndex.close();
      await knowledgeGraph.close();
    },
  };
});

describe('RetrievalService over the embedded indexes', () => {
  const { service, close } = embeddedService();

  beforeAll(async () => {
    for (const document of CORPUS) await service.index({ ownerId: 'reader', ...document });
    // Another owner with the very same documents, ids and all.
    for (const document of CORPUS) {
      await service.index({
        ownerId: 'other',
        ...document,
        text: `${document.title}. Other owner's private copy. ${document.text}`,
      });
    }
  });

  afterAll(close);

  it('reports chunks, vector upserts and graph nodes and edges, and is idempotent', async () => {
    const first = await service.index({ ownerId: 'idem', ...APACHE });
    const second = await service.index({ ownerId: 'idem', ...APACHE });
    expect(first.documentId).toBe('apache');
    expect(first.chunks).toBeGreaterThan(10);
    expect(first.vector).toEqual({ enabled: true, upserted: first.chunks, removed: 0 });
    expect(first.graph.enabled).toBe(true);
    expect(first.graph.nodes).toBeGreaterThan(5);
    expect(first.graph.edges).toBeGreaterThan(first.graph.nodes - 1);
    expect(second).toEqual(first);
    const { hits } = await service.search({
      ownerId: 'idem',
      query: 'patent litigation',
      k: 50,
      mode: 'lexical',
    });
    expect(new Set(hits.map((hit) => hit.chunkId)).size).toBe(hits.length);
  });

  it('replaces the chunks of a document whose text changed', async () => {
    await service.index({
      ownerId: 'edit',
      documentId: 'memo',
      title: 'Memo',
      text: 'The Falcon project ships in March. Budget is tight.',
    });
    const changed = await service.index({
      ownerId: 'edit',
      documentId: 'memo',
      title: 'Memo',
      text: 'The Heron project replaces Falcon entirely and ships in June.',
    });
    expect(changed.vector).toMatchObject({ upserted: 1, removed: 1 });
    const { hits } = await service.search({
      ownerId: 'edit',
      query: 'budget March',
      mode: 'lexical',
    });
    expect(hits).toEqual([]);
    expect(
      (await service.search({ ownerId: 'edit', query: 'Heron project' })).hits[0]?.text,
    ).toContain('Heron');
  });

  it(`puts the answering passage in the top 5 for ≥ 90 % of ${CORPUS_QUESTIONS.length} corpus questions`, async () => {
    const misses: string[] = [];
    for (const { question, document, passage } of CORPUS_QUESTIONS) {
      const { hits } = await service.search({ ownerId: 'reader', query: question, k: 5 });
      const found = hits.some(
        (hit) => hit.documentId === document && normalisePassage(hit.text).includes(passage),
      );
      if (!found) misses.push(question);
    }
    expect(CORPUS_QUESTIONS.length).toBeGreaterThanOrEqual(15);
    expect(misses.length / CORPUS_QUESTIONS.length).toBeLessThanOrEqual(0.1);
  });

  it('answers with the sentence that holds the answer and cites its chunk', async () => {
    let citedFirst = 0;
    for (const { question, document, passage } of CORPUS_QUESTIONS) {
      const result = await service.ask({ ownerId: 'reader', question });
      const first = result.citations[0];
      if (first?.documentId === document && normalisePassage(first.snippet).includes(passage))
        citedFirst += 1;
    }
    expect(citedFirst / CORPUS_QUESTIONS.length).toBeGreaterThanOrEqual(0.8);

    const bsd = await service.ask({
      ownerId: 'reader',
      question: 'What must a redistribution of source code retain?',
    });
    expect(bsd).toMatchObject({ provider: 'local', degraded: false });
    expect(bsd.answer).toMatch(
      /^Redistributions of source code must retain the above copyright notice/,
    );
    expect(bsd.citations[0]).toMatchObject({
      documentId: 'bsd',
      chunkId: expect.stringMatching(/^bsd#\d+-[0-9a-f]{12}$/),
    });
    expect(bsd.citations[0]?.score).toBeGreaterThan(0);
  });

  it('restricts search and answers to the given documents', async () => {
    const { hits } = await service.search({
      ownerId: 'reader',
      query: 'copyright notice',
      k: 10,
      documentIds: ['mpl'],
    });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.documentId === 'mpl')).toBe(true);
    const answer = await service.ask({
      ownerId: 'reader',
      question: 'What must source redistributions retain?',
      documentIds: ['apache'],
    });
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations.every((citation) => citation.documentId === 'apache')).toBe(true);
  });

  it('supports vector, lexical and hybrid modes with their own scores', async () => {
    const query = 'Regents of the University of California';
    for (const mode of ['vector', 'lexical', 'hybrid'] as const) {
      const { hits } = await service.search({ ownerId: 'reader', query, k: 3, mode });
      expect(hits[0]?.documentId).toBe('bsd');
      expect(hits.map((hit) => hit.score)).toEqual(
        [...hits.map((hit) => hit.score)].sort((a, b) => b - a),
      );
    }
  });

  it('keeps owners apart in search, ask, chat and related documents', async () => {
    const { hits } = await service.search({
      ownerId: 'reader',
      query: "Other owner's private copy",
      k: 50,
    });
    expect(hits.every((hit) => !hit.text.includes("Other owner's private copy"))).toBe(true);
    const otherHits = (
      await service.search({ ownerId: 'other', query: "Other owner's private copy", k: 3 })
    ).hits;
    expect(otherHits[0]?.text).toContain("Other owner's private copy");

    expect((await service.search({ ownerId: 'nobody', query: 'license' })).hits).toEqual([]);
    const stranger = await service.ask({
      ownerId: 'nobody',
      question: 'What must a redistribution of source code retain?',
    });
    expect(stranger).toMatchObject({ answer: NO_ANSWER, citations: [] });
    const chat = await service.chat({
      ownerId: 'nobody',
      messages: [{ role: 'user', content: 'What is the license steward?' }],
    });
    expect(chat.citations).toEqual([]);
    expect(await service.related('nobody', 'apache')).toEqual([]);
  });

  it('chats over one document and resolves a short follow-up with the previous question', async () => {
    const reply = await service.chat({
      ownerId: 'reader',
      documentId: 'bsd',
      messages: [
        { role: 'user', content: 'What must redistributions of source code retain?' },
        { role: 'assistant', content: 'The copyright notice, the conditions and the disclaimer.' },
        { role: 'user', content: 'And binary form?' },
      ],
    });
    expect(reply.reply).toMatch(/binary form must reproduce/);
    expect(reply.citations.every((citation) => citation.documentId === 'bsd')).toBe(true);
  });

  it('finds related documents through shared entities and lists top entities', async () => {
    const related = await service.related('reader', 'apache');
    expect(related[0]?.documentId).toBe('mpl');
    expect(related[0]?.sharedEntities).toEqual(expect.arrayContaining(['Contributor', 'License']));
    const entities = await service.topEntities('reader', 5);
    expect(entities).toHaveLength(5);
    expect(entities[0]?.documents).toBeGreaterThanOrEqual(2);
  });

  it('removes a document from both indexes', async () => {
    await service.index({ ownerId: 'remove', ...BSD });
    await service.index({ ownerId: 'remove', ...APACHE });
    const removed = await service.remove('remove', 'bsd');
    expect(removed.vector.removed).toBeGreaterThan(0);
    expect(removed.graph.enabled).toBe(true);
    const { hits } = await service.search({
      ownerId: 'remove',
      query: 'Regents University California',
      k: 10,
    });
    expect(hits.every((hit) => hit.documentId !== 'bsd')).toBe(true);
    expect((await service.topEntities('remove', 100)).map((entity) => entity.name)).not.toContain(
      'Regents',
    );
  });

  it('rejects bad input with InvalidInputError', async () => {
    await expect(service.search({ ownerId: '', query: 'x' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(service.search({ ownerId: 'reader', query: '   ' })).rejects.toThrow(/query/);
    await expect(service.search({ ownerId: 'reader', query: 'x', k: 0 })).rejects.toThrow(
      /k must be an integer/,
    );
    await expect(service.search({ ownerId: 'reader', query: 'x', k: 2.5 })).rejects.toThrow(/k/);
    await expect(
      service.search({ ownerId: 'reader', query: 'x', mode: 'fuzzy' as 'vector' }),
    ).rejects.toThrow(/mode/);
    await expect(service.chat({ ownerId: 'reader', messages: [] })).rejects.toThrow(/user message/);
    await expect(
      service.index({ ownerId: 'reader', documentId: '', title: '', text: 'x' }),
    ).rejects.toThrow(/documentId/);
  });

  it('indexes empty text as no chunks and unicode text without error', async () => {
    expect(
      (await service.index({ ownerId: 'edge', documentId: 'empty', title: '', text: '' })).chunks,
    ).toBe(0);
    const unicode = await service.index({
      ownerId: 'edge',
      documentId: 'uni',
      title: 'Ünïcödé',
      text: 'Zürich liegt am See. 東京は大きい。 🚀 Emoji launch notes.',
    });
    expect(unicode.chunks).toBe(1);
    expect((await service.search({ ownerId: 'edge', query: 'Zürich' })).hits[0]?.documentId).toBe(
      'uni',
    );
  });
});

// Found in review: a question that shares nothing with the owner's chunks
// still retrieved them (by a vector score of 0), and `ask` paid a provider to
// answer from passages that could not hold the answer.
describe('RetrievalService when nothing of the owner matches the query', () => {
  const { service, close } = embeddedService();
  const log = 'Lighthouse keepers log every passing ship.';

  beforeAll(() => service.index({ ownerId: 'o', documentId: 'log', title: 'Log', text: log }));
  afterEach(() => jest.restoreAllMocks());
  afterAll(close);

  it('finds nothing in any mode, and answers without asking a provider', async () => {
    for (const mode of ['hybrid', 'vector', 'lexical'] as const) {
      const { hits } = await service.search({ ownerId: 'o', query: 'capital of Peru', mode });
      expect({ mode, hits }).toEqual({ mode, hits: [] });
    }
    const answering = jest.spyOn(ProviderChain.prototype, 'answer');

    const answer = await service.ask({ ownerId: 'o', question: 'What is the capital of Peru?' });

    expect(answer).toMatchObject({ answer: NO_ANSWER, citations: [] });
    expect(answering).not.toHaveBeenCalled();
    // The same owner's matching question still reaches the provider.
    const matched = await service.ask({ ownerId: 'o', question: 'Who logs passing ships?' });
    expect(matched.citations[0]?.documentId).toBe('log');
    expect(answering).toHaveBeenCalledTimes(1);
  });
});

// Found in review: over documents of some length the offline embedder's
// hashed terms meet by chance, so vector and hybrid search returned passages
// that share no word with the query, and ask paid a provider to answer from them.
describe('RetrievalService with the offline embedder, over long documents', () => {
  const { service, close } = embeddedService();
  const UNRELATED = [
    'capital of Peru',
    'banana bread recipe',
    'photosynthesis in kelp forests',
    'volcanic eruptions on Iceland',
    'migrating whales sing',
  ];
  const ZANZIBAR = {
    documentId: 'zanzibar',
    title: 'Quarterly Zanzibar Report',
    text: 'Revenue grew by four percent.',
  };

  beforeAll(async () => {
    for (const document of [...CORPUS, ZANZIBAR])
      await service.index({ ownerId: 'o', ...document });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(close);

  it('finds nothing for a query none of them shares a word with, and asks no provider', async () => {
    const answering = jest.spyOn(ProviderChain.prototype, 'answer');
    for (const query of UNRELATED) {
      for (const mode of ['hybrid', 'vector'] as const) {
        const { hits } = await service.search({ ownerId: 'o', query, mode });
        expect({ query, mode, hits }).toEqual({ query, mode, hits: [] });
      }
      expect(await service.ask({ ownerId: 'o', question: query })).toMatchObject({
        answer: NO_ANSWER,
        citations: [],
      });
    }
    expect(answering).not.toHaveBeenCalled();
  });

  // Found in an exploratory test: "How does photosynthesis work?" over the
  // licences was answered with the definition of "Work", and cited.
  it('answers a question the passages share only a common word with: that none answers it', async () => {
    for (const question of [
      'How does photosynthesis work?',
      'What is the meaning of life?',
      'Who is the president of the United States?',
    ]) {
      expect(await service.ask({ ownerId: 'o', question })).toMatchObject({
        answer: NO_ANSWER,
        citations: [],
      });
    }
  });

  it('still finds a passage by the title it was embedded with', async () => {
    const { hits } = await service.search({ ownerId: 'o', query: 'Zanzibar', mode: 'vector' });
    expect(hits.map((hit) => hit.documentId)).toEqual(['zanzibar']);
    const byTerms = await service.search({ ownerId: 'o', query: 'Zanzibar', mode: 'lexical' });
    expect(byTerms.hits).toEqual([]);
  });

  // Found in review: collisions were dropped after the list was cut to k,
  // so they still took places of chunks that share a word with the query.
  it('fills k places by vector with chunks that share a word, whatever collides above them', async () => {
    for (const word of [
      'trademark',
      'warranty',
      'sublicense',
      'jurisdiction',
      'notices',
      'patent',
    ]) {
      const sharing = await service.search({ ownerId: 'o', query: word, mode: 'lexical', k: 50 });
      const k = Math.min(sharing.hits.length, 6);
      const { hits } = await service.search({ ownerId: 'o', query: word, mode: 'vector', k });
      expect({ word, found: hits.length }).toEqual({ word, found: k });
    }
  });

  it('still finds what a query shares words with', async () => {
    const { hits } = await service.search({ ownerId: 'o', query: 'patent license grant' });
    expect(hits.length).toBeGreaterThan(0);
  });
});

// Found in an exploratory test: next to the PDF's many short chunks, whose
// hashed terms collide with a query's, a vector search for "non-exclusive"
// found nothing at k = 1 and one chunk at k = 5 of the two that hold it: the
// collisions filled the places read and were dropped afterwards.
describe('RetrievalService with the offline embedder, among many colliding short chunks', () => {
  const { service, close } = embeddedService();

  beforeAll(async () => {
    await service.index({ ownerId: 'o', ...APACHE });
    await service.index({
      ownerId: 'o',
      documentId: 'mime',
      title: 'Shared MIME-info Database',
      text: await mimeSpecPdfText(),
    });
    await service.index({
      ownerId: 'o',
      documentId: 'bsd',
      title: 'BSD',
      text: await bsdDocxText(),
    });
  });
  afterAll(close);

  it('finds by vector every chunk that shares a word, up to k, and a smaller k gives the first of a larger', async () => {
    for (const query of ['non-exclusive', 'patent-infringement', 'perpetual royalty-free']) {
      const sharing = await service.search({ ownerId: 'o', query, mode: 'lexical', k: 50 });
      const deepest = await service.search({ ownerId: 'o', query, mode: 'vector', k: 10 });
      expect({ query, found: deepest.hits.length }).toEqual({
        query,
        found: Math.min(10, sharing.hits.length),
      });
      for (const k of [1, 2, 3, 5]) {
        const { hits } = await service.search({ ownerId: 'o', query, mode: 'vector', k });
        expect({ query, k, hits: hits.map((hit) => hit.chunkId) }).toEqual({
          query,
          k,
          hits: deepest.hits.slice(0, k).map((hit) => hit.chunkId),
        });
      }
    }
  });
});

describe('RetrievalService when a write fails', () => {
  it('writes the graph only after the vector index took the chunks', async () => {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    const service = new RetrievalService({ embedder, vectorIndex, knowledgeGraph });
    try {
      await service.index({ ownerId: 'fail', ...BSD });
      const entitiesBefore = await service.topEntities('fail', 100);
      const refused = new VectorWriteRejectedError('Chroma', 'answered 400');
      const replace = jest.spyOn(vectorIndex, 'replaceDocument').mockRejectedValue(refused);

      await expect(service.index({ ownerId: 'fail', ...BSD, text: APACHE.text })).rejects.toBe(
        refused,
      );
      await expect(service.index({ ownerId: 'fail', ...MPL })).rejects.toBe(refused);
      expect(replace).toHaveBeenCalledTimes(2);
      // Neither failed write reached the graph: it holds what it held before.
      expect(await service.topEntities('fail', 100)).toEqual(entitiesBefore);
      expect(await service.related('fail', 'mpl')).toEqual([]);
      replace.mockRestore();
    } finally {
      await vectorIndex.close();
      await knowledgeGraph.close();
    }
  });
});

// Found in review: a text of decoration lines alone passed the index contract
// but gave no chunks, so its re-index emptied the document's chunks from
// search while its graph node stayed.
describe('RetrievalService re-indexing a document with a text of decoration alone', () => {
  it('keeps the document under its id in both indexes', async () => {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    const service = new RetrievalService({ embedder, vectorIndex, knowledgeGraph });
    try {
      const first = await service.index({ ownerId: 'o', ...BSD });
      expect(first.chunks).toBeGreaterThan(1);
      const again = await service.index({ ownerId: 'o', ...BSD, text: '...' });
      expect(again).toEqual({
        documentId: 'bsd',
        chunks: 1,
        vector: { enabled: true, upserted: 1, removed: first.chunks },
        graph: { enabled: true, nodes: expect.any(Number), edges: expect.any(Number) },
      });
      expect(await vectorIndex.countChunks('o', 'bsd')).toBe(1);
      expect((await knowledgeGraph.stats('o')).documents).toBe(1);
      // The document node now holds what its title alone mentions, no more.
      expect((await service.topEntities('o', 100)).map((entity) => entity.name)).not.toContain(
        'Regents',
      );
      expect(await service.remove('o', 'bsd')).toMatchObject({
        vector: { enabled: true, removed: 1 },
        graph: { enabled: true },
      });
      expect((await knowledgeGraph.stats('o')).documents).toBe(0);
    } finally {
      await vectorIndex.close();
      await knowledgeGraph.close();
    }
  });
});

describe('RetrievalService with sync switched off', () => {
  it('skips the vector index and says so, and refuses to search', async () => {
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    const service = new RetrievalService({ embedder, knowledgeGraph });
    const result = await service.index({ ownerId: 'o', ...BSD });
    expect(result.vector).toEqual({ enabled: false, upserted: 0, removed: 0 });
    expect(result.graph.enabled).toBe(true);
    await expect(service.search({ ownerId: 'o', query: 'source code' })).rejects.toBeInstanceOf(
      IndexDisabledError,
    );
    await knowledgeGraph.close();
  });

  it('skips the graph and says so, and refuses graph queries', async () => {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const service = new RetrievalService({ embedder, vectorIndex });
    const result = await service.index({ ownerId: 'o', ...BSD });
    expect(result.graph).toEqual({ enabled: false, nodes: 0, edges: 0 });
    expect(result.vector.upserted).toBe(result.chunks);
    await expect(service.related('o', 'bsd')).rejects.toThrow(/DOCUTHINKER_SYNC_GRAPH=false/);
    expect(await service.remove('o', 'bsd')).toEqual({
      documentId: 'bsd',
      vector: { enabled: true, removed: result.chunks },
      graph: { enabled: false, removedEntities: 0 },
    });
    await vectorIndex.close();
  });
});

describe('RetrievalService when the query cannot be embedded', () => {
  // Stands in for a provider's embedder, which can fail: the offline one
  // embeds a document while it is chunked, without calling `embed`.
  const remoteEmbedder: Embedder = {
    model: embedder.model,
    dimensions: embedder.dimensions,
    embed: (texts) => embedder.embed(texts),
  };
  const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: remoteEmbedder });
  const service = new RetrievalService({ embedder: remoteEmbedder, vectorIndex });
  const question = 'What must redistributions in binary form reproduce?';

  beforeAll(() => service.index({ ownerId: 'o', ...BSD }));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => vectorIndex.close());

  it('ranks a hybrid search by terms alone and marks an answer built on it degraded', async () => {
    const lexical = await service.search({ ownerId: 'o', query: question, mode: 'lexical' });
    jest
      .spyOn(remoteEmbedder, 'embed')
      .mockRejectedValue(new ProviderError('openai', 'server', 'HTTP 503', 503));

    expect(lexical.degraded).toBe(false);
    // Found in review: only ask and chat said so; a search answered 200 as if nothing happened.
    expect(await service.search({ ownerId: 'o', query: question })).toEqual({
      ...lexical,
      degraded: true,
    });
    const answer = await service.ask({ ownerId: 'o', question });
    expect(answer).toMatchObject({ degraded: true, citations: [{ documentId: 'bsd' }] });
    const reply = await service.chat({
      ownerId: 'o',
      messages: [{ role: 'user', content: question }],
    });
    expect(reply).toMatchObject({ degraded: true, citations: [{ documentId: 'bsd' }] });
  });

  it('lets the failure through where nothing can stand in for the vector: vector search, indexing, and failures that are no provider’s', async () => {
    const failure = new ProviderError('openai', 'rejected', 'HTTP 400', 400);
    jest.spyOn(remoteEmbedder, 'embed').mockRejectedValue(failure);
    await expect(service.search({ ownerId: 'o', query: question, mode: 'vector' })).rejects.toBe(
      failure,
    );
    await expect(service.index({ ownerId: 'o', ...MPL })).rejects.toBe(failure);

    const bug = new TypeError('a bug');
    jest.spyOn(remoteEmbedder, 'embed').mockRejectedValue(bug);
    await expect(service.search({ ownerId: 'o', query: question })).rejects.toBe(bug);
  });

  // Found in review: a chat message may be 20,000 characters, and the whole of
  // it became the retrieval query (Chroma's prefilter then failed on it).
  it('searches with at most the first MAX_QUERY_CHARS characters of a long chat message', async () => {
    const embedded = jest.spyOn(remoteEmbedder, 'embed');
    const lexical = jest.spyOn(vectorIndex, 'queryLexical');
    const content = `${question} ${'binary form documentation reproduce '.repeat(600)}`.trim();
    expect(content.length).toBeGreaterThan(20_000 - 1000);

    const reply = await service.chat({ ownerId: 'o', messages: [{ role: 'user', content }] });

    expect(reply.citations[0]?.documentId).toBe('bsd');
    const [[embeddedQuery]] = embedded.mock.calls as [[string[]]];
    const [, searchedText] = lexical.mock.calls[0] as [unknown, string];
    expect(searchedText).toBe(embeddedQuery[0]);
    expect(searchedText.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
    expect(searchedText.length).toBeGreaterThan(MAX_QUERY_CHARS - 40);
    expect(content.startsWith(searchedText)).toBe(true);
  });
});

/** A hosted model that answers with a fixed text, parsed as every LLM adapter parses it. */
class ScriptedModel implements AiProvider {
  readonly name = 'openai' as const;
  readonly model = 'scripted';
  shown: readonly string[] = [];
  constructor(private readonly reply: string) {}
  supports(): boolean {
    return true;
  }
  runTask(): never {
    throw new Error('not used');
  }
  async answer(request: AnswerRequest): Promise<ProviderReply<AnswerOutput>> {
    this.shown = request.passages.map((passage) => passage.id);
    return {
      output: parseAnswer(this.name, this.reply, request.passages.length),
      model: this.model,
    };
  }
}

describe('citations of an answer', () => {
  const HARBOUR = [
    { documentId: 'cranes', title: 'Cranes', text: 'Harbour cranes lift containers with steel.' },
    { documentId: 'ships', title: 'Ships', text: 'Container ships bring containers to harbour.' },
    { documentId: 'trucks', title: 'Trucks', text: 'Trucks carry containers away from harbour.' },
  ];

  async function askScripted(reply: string) {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const model = new ScriptedModel(reply);
    const service = new RetrievalService({
      embedder,
      vectorIndex,
      answerer: new ProviderChain([model]),
    });
    try {
      for (const document of HARBOUR) await service.index({ ownerId: 'o', ...document });
      const result = await service.ask({ ownerId: 'o', question: 'harbour containers' });
      return { result, shown: model.shown };
    } finally {
      await vectorIndex.close();
    }
  }

  // Found in review: "[2]" in the answer pointed at citations[1], but the
  // citations held only the passages cited, in the order first cited: a
  // reply citing only the second passage had one citation, and "[3] … [1]"
  // resolved "[1]" to passage 3.
  it('renumbers a hosted model’s [n] markers so that [n] names the n-th citation', async () => {
    const { result, shown } = await askScripted(
      'Ships bring them [3]. Cranes lift them [2, 9, 3]; see also [2][3] and the 1999 report.',
    );
    expect(shown).toHaveLength(3);
    expect(result.answer).toBe(
      'Ships bring them [1]. Cranes lift them [2, 1]; see also [2][1] and the 1999 report.',
    );
    expect(result.citations.map((citation) => citation.chunkId)).toEqual([shown[2], shown[1]]);
  });

  // Found in an exploratory test: "[99]" and "[0]" in a model's answer were
  // left in the text, where a client shows them as citations that do not exist.
  it('drops a marker that names no passage, and keeps a bracketed year or an index as the text’s own', async () => {
    const { result, shown } = await askScripted(
      '[4] Ships bring them [99] and cranes lift them [0] [2]. Miller [2019] UKSC 41 says nothing of it [7]. Read items[0] and f(x)[12].',
    );
    expect(shown).toHaveLength(3);
    expect(result.answer).toBe(
      'Ships bring them and cranes lift them [1]. Miller [2019] UKSC 41 says nothing of it. Read items[0] and f(x)[12].',
    );
    expect(result.citations.map((citation) => citation.chunkId)).toEqual([shown[1]]);
  });

  // Found in an exploratory test: "[1-2]", "[ 2 ]", "[^2]" and "【2】" were
  // left in the answer with no citations behind them.
  it('reads ranges, spaced, footnote and full-width markers as citations too', async () => {
    const { result, shown } = await askScripted(
      'Ships bring them [ 3 ]. Cranes lift them [1-2]; trucks[^2] carry them 【3】 in [2019–2020] [2–3; 1].',
    );
    expect(shown).toHaveLength(3);
    expect(result.answer).toBe(
      'Ships bring them [1]. Cranes lift them [2, 3]; trucks[3] carry them [1] in [2019–2020] [3, 1, 2].',
    );
    expect(result.citations.map((citation) => citation.chunkId)).toEqual([
      shown[2],
      shown[0],
      shown[1],
    ]);
  });

  it('finds a model whose answer was nothing but markers naming no passage unusable', async () => {
    await expect(askScripted('[5] [6]')).rejects.toMatchObject({
      name: 'ProvidersExhaustedError',
      attempts: [expect.objectContaining({ outcome: 'failed', kind: 'unusable' })],
    });
  });

  // Found in review: an answer without markers was given the top three
  // passages as citations, a refusal as if the documents backed it.
  it('gives an answer that names no passage no citations', async () => {
    const { result } = await askScripted('The passages do not say how containers are weighed.');
    expect(result.citations).toEqual([]);
  });

  // Found in review: the offline answer took two sentences of one passage
  // and its citation quoted only the first.
  it('quotes in its citations every sentence of an offline answer', async () => {
    const { service, close } = embeddedService();
    try {
      await service.index({
        ownerId: 'o',
        documentId: 'babbage',
        title: 'Babbage',
        text:
          'Charles Babbage designed the Analytical Engine in London. Ada Lovelace wrote the first ' +
          'program for the Analytical Engine. Lovelace saw that the engine could compose music. ' +
          'Babbage also built the Difference Engine! Did it work? Partly.',
      });
      const result = await service.chat({
        ownerId: 'o',
        messages: [
          {
            role: 'user',
            content: 'Which engines did Babbage design and build, and what could it compose?',
          },
        ],
      });
      const sentences = result.reply.split(/(?<=[.!?])\s+/);
      expect(sentences.length).toBeGreaterThan(1);
      const snippets = result.citations.map((citation) => citation.snippet).join(' ');
      for (const sentence of sentences) expect(snippets).toContain(sentence);
    } finally {
      await close();
    }
  });
});

// Found in an exploratory test: Thai, written without spaces, was one term
// per phrase, so a question found nothing in a Thai document.
describe('retrieval over Thai text', () => {
  it('finds and cites the passage that answers a Thai question', async () => {
    const { service, close } = embeddedService();
    try {
      await service.index({
        ownerId: 'o',
        documentId: 'thai',
        title: 'ประเทศไทย',
        text:
          'กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย\n\n' +
          'แม่น้ำเจ้าพระยาไหลผ่านใจกลางเมือง\n\n' +
          'อาหารไทยมีรสชาติเผ็ดและหวาน',
      });
      await service.index({
        ownerId: 'o',
        documentId: 'english',
        title: 'Notes',
        text: 'The capital of France is Paris. The Seine flows through it.',
      });
      const { hits } = await service.search({
        ownerId: 'o',
        query: 'เมืองหลวงของประเทศไทย',
        mode: 'lexical',
      });
      expect(hits[0]?.documentId).toBe('thai');
      const answer = await service.ask({ ownerId: 'o', question: 'เมืองหลวงของประเทศไทยคืออะไร' });
      expect(answer.citations[0]?.documentId).toBe('thai');
      expect(answer.citations[0]?.snippet).toContain('กรุงเทพมหานคร');
    } finally {
      await close();
    }
  });
});

describe("an owner's erasure and that owner's writes", () => {
  // Found in review: a write still under way when the erasure stopped waiting
  // for it stored its chunks and graph after the erasure, which answered 200.
  it('undoes a write the erasure stopped waiting for, and keeps nothing of it', async () => {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    let hold = true;
    let release: () => void = () => undefined;
    const slowEmbedder: Embedder = {
      model: embedder.model,
      dimensions: embedder.dimensions,
      embed: async (texts) => {
        if (hold) await new Promise<void>((resolve) => (release = resolve));
        return embedder.embed(texts);
      },
    };
    const slow = new RetrievalService({ embedder: slowEmbedder, vectorIndex, knowledgeGraph });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const writing = slow
        .index({ ownerId: 'leaving', ...APACHE })
        .catch((error: unknown) => error);
      const erasure = slow.removeOwner('leaving');
      await jest.advanceTimersByTimeAsync(10_100);
      await erasure;
      jest.useRealTimers();
      hold = false;
      release();
      expect(await writing).toBeInstanceOf(OwnerErasedError);
      expect(await vectorIndex.countChunks('leaving')).toBe(0);
      expect(await knowledgeGraph.topEntities('leaving', 10)).toEqual([]);
      // The owner's next write, after the erasure, is stored as usual.
      const next = await slow.index({ ownerId: 'leaving', ...BSD });
      expect(next.vector.upserted).toBeGreaterThan(0);
      expect(await vectorIndex.countChunks('leaving', 'bsd')).toBe(next.chunks);
    } finally {
      jest.useRealTimers();
      await vectorIndex.close();
      knowledgeGraph.close();
    }
  });

  // Found by an exploratory test: a write that arrived while the erasure
  // removed (no write under way when it began) met the vector index after it
  // was cleared and the graph before: its entities stayed, its chunks went.
  it('lets a write that arrives while it removes land whole after it', async () => {
    const stored = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const knowledgeGraph = LibsqlKnowledgeGraph.open(':memory:');
    let release: () => void = () => undefined;
    const removing = new Promise<void>((resolve) => (release = resolve));
    let removalBegan: () => void = () => undefined;
    const began = new Promise<void>((resolve) => (removalBegan = resolve));
    // The vector index's erasure held open until the write has arrived.
    const vectorIndex = new Proxy(stored, {
      get(target, property) {
        if (property === 'removeOwner') {
          return async (ownerId: string) => {
            removalBegan();
            await removing;
            return target.removeOwner(ownerId);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const service = new RetrievalService({ embedder, vectorIndex, knowledgeGraph });
    try {
      await service.index({ ownerId: 'leaving', ...BSD });
      const erasure = service.removeOwner('leaving');
      await began;
      const writing = service.index({ ownerId: 'leaving', ...APACHE });
      // Long enough for a write that did not wait to store its chunks and graph.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      const erased = await erasure;
      expect(erased.vector.documents).toBe(1);
      const written = await writing;
      expect(await stored.countChunks('leaving', 'bsd')).toBe(0);
      expect(await stored.countChunks('leaving', 'apache')).toBe(written.chunks);
      const entities = await knowledgeGraph.topEntities('leaving', 50);
      expect(entities.length).toBeGreaterThan(0);
    } finally {
      await stored.close();
      knowledgeGraph.close();
    }
  });

  // The wait is bounded (review): a write stuck on its embedding provider
  // must not hold the erasure, which the backend runs again later.
  it('waits at most ten seconds for a write that does not end, then erases what is stored', async () => {
    const vectorIndex = LibsqlVectorIndex.open({ path: ':memory:', embedding: embedder });
    const stuckEmbedder: Embedder = {
      model: embedder.model,
      dimensions: embedder.dimensions,
      embed: () => new Promise<Float32Array[]>(() => undefined),
    };
    const stored = new RetrievalService({ embedder, vectorIndex });
    const stuck = new RetrievalService({ embedder: stuckEmbedder, vectorIndex });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      await stored.index({ ownerId: 'leaving', ...BSD });
      void stuck.index({ ownerId: 'leaving', ...APACHE });
      let erased = false;
      const erasure = stuck.removeOwner('leaving').finally(() => {
        erased = true;
      });
      await jest.advanceTimersByTimeAsync(9_900);
      expect(erased).toBe(false);
      await jest.advanceTimersByTimeAsync(200);
      const result = await erasure;
      expect(result.vector.documents).toBe(1);
      expect(await vectorIndex.countChunks('leaving', 'bsd')).toBe(0);
    } finally {
      jest.useRealTimers();
      await vectorIndex.close();
    }
  });
});
