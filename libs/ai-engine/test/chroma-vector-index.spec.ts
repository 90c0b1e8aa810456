import { startChroma, type RunningService } from '@docuthinker/testing';
import { ChromaClient } from 'chromadb';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingMismatchError, VectorWriteRejectedError } from '../src/errors';
import {
  ChromaVectorIndex,
  chromaCollectionName,
  prefilterTerms,
} from '../src/retrieval/chroma-vector-index';
import { chunkIdFor } from '../src/retrieval/chunker';
import type { IndexedChunk } from '../src/retrieval/vector-index';
import { createAiEngine } from '../src/service/create-ai-engine';
import { stem } from '../src/text/stem';
import { describeConcurrentIndexing } from './support/concurrent-indexing';
import { corpusText } from './support/corpus';
import { CORPUS_QUESTIONS, normalisePassage } from './support/corpus-questions';
import {
  contractEmbedder,
  describeVectorIndexContract,
  indexedChunks,
  repeatedChunks,
  vectorOf,
  writeCrowd,
} from './support/vector-index-contract';

let chroma: RunningService;

function cosineOf(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < left.length; index += 1) {
    dot += (left[index] as number) * (right[index] as number);
  }
  return dot / (Math.hypot(...left) * Math.hypot(...right));
}

beforeAll(async () => {
  chroma = await startChroma();
}, 60000);

afterAll(async () => {
  await chroma?.stop();
});

let collectionCounter = 0;
describeVectorIndexContract('Chroma server', async () =>
  ChromaVectorIndex.connect({
    url: chroma.url,
    embedding: contractEmbedder,
    collectionPrefix: `contract-${(collectionCounter += 1)}`,
  }),
);

/** The whole engine (offline providers, embedded graph) over the test's Chroma server. */
async function engineOnChroma() {
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-chroma-engine-'));
  const engine = await createAiEngine({
    dataDir,
    chromaUrl: chroma.url,
    syncGraph: true,
    syncVector: true,
    providers: ['local'],
    providerKeys: {},
  });
  return {
    engine,
    close: async () => {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describeConcurrentIndexing('Chroma server', async () => {
  const { engine, close } = await engineOnChroma();
  return {
    service: engine.retrieval,
    vectorIndex: engine.vectorIndex as ChromaVectorIndex,
    close,
  };
});

/** An HTTP status to answer instead of Chroma, or undefined to pass the request on. */
type ChromaProxyRule = (path: string) => Promise<number | undefined>;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRecordWrite = (path: string) => /\/(add|upsert)$/.test(path);
/** Every read of records (a document's ids, counts, lexical candidates) is a POST to `/get`. */
const isListing = (path: string) => /\/get$/.test(path);

/** The test's Chroma behind a proxy that forwards every request unless `rule` answers it. */
async function chromaProxy(
  rule: ChromaProxyRule,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      void rule(path)
        .then(async (status) => {
          if (status !== undefined) {
            response.writeHead(status, { 'content-type': 'application/json' });
            response.end('{"error":"injected by the test proxy"}');
            return;
          }
          const answer = await fetch(new URL(path, chroma.url), {
            method: request.method,
            headers: { 'content-type': 'application/json' },
            ...(body.length > 0 ? { body: Buffer.concat(body) } : {}),
          });
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ChromaVectorIndex', () => {
  it('refuses a collection that records another embedding model', async () => {
    const url = new URL(chroma.url);
    const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    const name = chromaCollectionName('clash', contractEmbedder.model, contractEmbedder.dimensions);
    await client.createCollection({
      name,
      embeddingFunction: null,
      metadata: { embeddingModel: 'someone-else', dimensions: 384 },
    });
    await expect(
      ChromaVectorIndex.connect({
        url: chroma.url,
        embedding: contractEmbedder,
        collectionPrefix: 'clash',
      }),
    ).rejects.toBeInstanceOf(EmbeddingMismatchError);
  });

  // Found in review: one delete by the owner's filter took 11 s for 50,000
  // records and outran a call's deadline; an owner is now erased page by page.
  it('erases an owner page by page, counting every record and document, and keeps other owners', async () => {
    const index = await ChromaVectorIndex.connect({
      url: chroma.url,
      embedding: contractEmbedder,
      collectionPrefix: 'erase-pages',
      ownerErasePage: 3,
    });
    try {
      const vector = contractEmbedder.embedOne('Lighthouse keepers log ships.');
      await index.replaceDocument(
        'pager',
        'a',
        repeatedChunks('a', 4, 'Keepers log ships.', vector),
      );
      await index.replaceDocument(
        'pager',
        'b',
        repeatedChunks('b', 3, 'Keepers log ships.', vector),
      );
      await index.replaceDocument(
        'other',
        'c',
        repeatedChunks('c', 2, 'Keepers log ships.', vector),
      );
      expect(await index.removeOwner('pager')).toEqual({ removed: 7, documents: 2 });
      expect(await index.queryVector({ ownerId: 'pager', k: 10 }, vector)).toEqual([]);
      expect(await index.queryVector({ ownerId: 'other', k: 10 }, vector)).toHaveLength(2);
    } finally {
      await index.close();
    }
  });

  it('answers a short HNSW search by an exact search, read page by page', async () => {
    // Chroma's filtered HNSW search comes back short only sometimes (a crowd
    // of identical vectors of other owners around the query makes it likely,
    // not certain: CI once saw it find every record), so the short answer is
    // made certain here by keeping the first hit of the query's reply; the
    // reads that follow go to the real server. The client keeps the fetch it
    // finds when it is made: watched from the start.
    const realFetch = globalThis.fetch;
    const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const answer = await realFetch(input, init);
      if (!(input instanceof Request && input.url.endsWith('/query'))) return answer;
      const reply = (await answer.json()) as Record<string, unknown>;
      for (const [field, perQuery] of Object.entries(reply)) {
        if (Array.isArray(perQuery) && Array.isArray(perQuery[0])) {
          reply[field] = perQuery.map((results: unknown[]) => results.slice(0, 1));
        }
      }
      return new Response(JSON.stringify(reply), {
        status: answer.status,
        headers: answer.headers,
      });
    });
    try {
      const index = await ChromaVectorIndex.connect({
        url: chroma.url,
        embedding: contractEmbedder,
        collectionPrefix: 'exact-pages',
        exactSearchPage: 2,
      });
      const boilerplate = 'Permission is hereby granted, free of charge, to any person.';
      const repeated = await vectorOf(boilerplate);
      await writeCrowd(index, boilerplate, repeated);
      const own: IndexedChunk[] = [...repeatedChunks('lone', 3, boilerplate, repeated)];
      for (const text of ['Permission is hereby granted.', 'Free of charge to any person.']) {
        own.push({
          chunkId: chunkIdFor('lone', own.length, text),
          documentId: 'lone',
          ordinal: own.length,
          text,
          embedding: await vectorOf(text),
        });
      }
      await index.replaceDocument('owner-lone', 'lone', own);
      const callsBefore = fetchSpy.mock.calls.length;

      const hits = await index.queryVector({ ownerId: 'owner-lone', k: 4 }, repeated);

      // A read of two ids shows the owner holds more than the one hit;
      // then the owner's five records at two a page: three reads.
      const reads = fetchSpy.mock.calls
        .slice(callsBefore)
        .filter(([input]) => input instanceof Request && input.url.endsWith('/get'));
      expect(reads).toHaveLength(4);
      const nearestVariant = [...own.slice(3)].sort(
        (left, right) => cosineOf(repeated, right.embedding) - cosineOf(repeated, left.embedding),
      )[0]?.text;
      expect(hits.map((hit) => hit.text)).toEqual([
        boilerplate,
        boilerplate,
        boilerplate,
        nearestVariant,
      ]);
      // Ties come in chunk-id order.
      expect(hits.map((hit) => hit.chunkId).slice(0, 3)).toEqual(
        own
          .slice(0, 3)
          .map((chunk) => chunk.chunkId)
          .sort(),
      );
      await index.close();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  describe("an owner's chunk among hundreds of identical ones", () => {
    // Found by an exploratory test: an owner's log of 1,200 identical
    // "heartbeat ok." chunks hid its one other document from a vector search.
    // HNSW's neighbour heuristic links a record inserted beside a clump of
    // identical vectors into the clump by one edge and drops the edge back,
    // so no search reaches it (see needsExactSearch). Here 300 identical
    // chunks before the one that answers hide it in a fresh collection on
    // chromadb 3.5.0 (200 did not); HNSW then answers with k of the clump,
    // which share nothing with the query.
    const IDENTICAL_CHUNKS = 300;
    const heartbeat = 'heartbeat ok. '.repeat(50).trim();
    const answer = 'Marie Curie discovered radium in Paris.';

    /** The bodies of the reads of records (POSTs to `/get`), as sent; restore the spy after. */
    function recordRecordReads() {
      const reads: string[] = [];
      const realFetch = globalThis.fetch;
      const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        if (input instanceof Request && input.url.endsWith('/get'))
          reads.push(await input.clone().text());
        return realFetch(input, init);
      });
      return { reads, fetchSpy };
    }

    async function ownerWithHeartbeatLog(
      prefix: string,
      options: { exactSearchLimit?: number } = {},
    ): Promise<ChromaVectorIndex> {
      const index = await ChromaVectorIndex.connect({
        url: chroma.url,
        embedding: contractEmbedder,
        collectionPrefix: prefix,
        ...options,
      });
      await index.replaceDocument(
        'rc',
        'heartbeat',
        repeatedChunks('heartbeat', IDENTICAL_CHUNKS, heartbeat, await vectorOf(heartbeat)),
      );
      await index.replaceDocument('rc', 'curie', await indexedChunks('curie', answer));
      // Another owner's copy of the answer must never be the one found.
      await index.replaceDocument('other-rc', 'curie', await indexedChunks('curie', answer));
      return index;
    }

    it('finds it by vector, as the embedded index does', async () => {
      const index = await ownerWithHeartbeatLog('identical-clump');
      try {
        const [own] = await indexedChunks('curie', answer);
        for (const k of [1, 10]) {
          const hits = await index.queryVector(
            { ownerId: 'rc', k },
            await vectorOf('radium discovered in Paris'),
          );
          expect({ k, found: hits.map((hit) => `${hit.documentId} ${hit.chunkId}`) }).toEqual({
            k,
            found: [`curie ${own?.chunkId}`],
          });
          expect(hits[0]?.score).toBeGreaterThan(0.4);
        }
        const byItsOwnVector = await index.queryVector(
          { ownerId: 'rc', k: 6 },
          own?.embedding as Float32Array,
        );
        expect(byItsOwnVector.map((hit) => [hit.documentId, hit.score])).toEqual([['curie', 1]]);
      } finally {
        await index.close();
      }
    });

    it('searches exactly only a scope within exactSearchLimit', async () => {
      const { reads, fetchSpy } = recordRecordReads();
      try {
        const index = await ownerWithHeartbeatLog('identical-clump-bounded', {
          exactSearchLimit: IDENTICAL_CHUNKS - 1,
        });
        const vectorReads = async (query: Parameters<ChromaVectorIndex['queryVector']>[0]) => {
          reads.length = 0;
          await index.queryVector(query, await vectorOf('radium discovered in Paris'));
          return [...reads];
        };
        // The owner's scope is past the bound: one read of the bound's ids
        // says so, no embeddings are read, and the next search reuses it.
        const first = await vectorReads({ ownerId: 'rc', k: 10 });
        expect(first).toHaveLength(1);
        expect(first[0]).not.toMatch(/embeddings/);
        expect(await vectorReads({ ownerId: 'rc', k: 10 })).toEqual([]);
        // One document is within it, and is searched exactly.
        const scoped = await index.queryVector(
          { ownerId: 'rc', k: 10, documentIds: ['curie', 'heartbeat'].slice(0, 1) },
          await vectorOf('radium discovered in Paris'),
        );
        expect(scoped.map((hit) => hit.documentId)).toEqual(['curie']);
        await index.close();
      } finally {
        fetchSpy.mockRestore();
      }
    });

    // Found in review: the size remembered for 30 s may be stale (another
    // replica's writes), and the exact search then read the whole scope.
    it('stops an exact search at the bound when the remembered size is stale', async () => {
      const { reads, fetchSpy } = recordRecordReads();
      const options = { exactSearchLimit: 40, exactSearchPage: 20 };
      const connect = () =>
        ChromaVectorIndex.connect({
          url: chroma.url,
          embedding: contractEmbedder,
          collectionPrefix: 'stale-scope-size',
          ...options,
        });
      const searching = await connect();
      const otherReplica = await connect();
      try {
        await otherReplica.replaceDocument('rs', 'curie', await indexedChunks('curie', answer));
        await otherReplica.replaceDocument(
          'rs',
          'warm-up',
          repeatedChunks('warm-up', 10, heartbeat, await vectorOf(heartbeat)),
        );
        const query = { ownerId: 'rs', k: 5 };
        // Eleven records, within the bound: HNSW's five hold one hit, the
        // scope's size is remembered as within, and it is searched exactly.
        reads.length = 0;
        const warm = await searching.queryVector(
          query,
          await vectorOf('radium discovered in Paris'),
        );
        expect(warm.map((hit) => hit.documentId)).toEqual(['curie']);
        expect(reads.filter((body) => /embeddings/.test(body))).toHaveLength(1);
        await otherReplica.replaceDocument(
          'rs',
          'heartbeat',
          repeatedChunks('heartbeat', 200, heartbeat, await vectorOf(heartbeat)),
        );
        reads.length = 0;
        await searching.queryVector(query, await vectorOf('radium discovered in Paris'));
        const embeddingPages = reads.filter((body) => /embeddings/.test(body));
        // The bound's pages and one look past it, not the 211 records' eleven pages.
        expect(embeddingPages.length).toBeLessThanOrEqual(options.exactSearchLimit / 20);
      } finally {
        fetchSpy.mockRestore();
        await searching.close();
        await otherReplica.close();
      }
    });
  });

  it('serves the retrieval service: corpus questions and cited answers over Chroma', async () => {
    const { engine, close } = await engineOnChroma();
    try {
      expect(engine.vectorIndex?.kind).toBe('chroma');
      for (const [documentId, file] of [
        ['apache', 'apache-2.0'],
        ['mpl', 'mpl-2.0'],
        ['bsd', 'bsd'],
      ] as const) {
        await engine.retrieval.index({
          ownerId: 'reader',
          documentId,
          title: file,
          text: corpusText(file),
        });
      }
      let found = 0;
      for (const { question, document, passage } of CORPUS_QUESTIONS) {
        const { hits } = await engine.retrieval.search({
          ownerId: 'reader',
          query: question,
          k: 5,
        });
        if (
          hits.some(
            (hit) => hit.documentId === document && normalisePassage(hit.text).includes(passage),
          )
        )
          found += 1;
      }
      expect(found / CORPUS_QUESTIONS.length).toBeGreaterThanOrEqual(0.9);

      const answer = await engine.retrieval.ask({
        ownerId: 'reader',
        question: 'What must a redistribution of source code retain?',
      });
      expect(answer.citations[0]).toMatchObject({
        documentId: 'bsd',
        snippet: expect.stringContaining('must retain'),
      });
      expect((await engine.readiness()).dependencies[0]).toEqual({
        name: 'vector-index',
        adapter: 'chroma',
        state: 'up',
      });
    } finally {
      await close();
    }
  });

  it('reports a Chroma that has gone away as ChromaConnectionError, as the client does', async () => {
    const gone = await startChroma();
    const index = await ChromaVectorIndex.connect({
      url: gone.url,
      embedding: contractEmbedder,
      collectionPrefix: 'gone',
    });
    const chunks = await indexedChunks('doc', 'The lighthouse keeper logs every passing ship.');
    await gone.stop();
    await expect(index.replaceDocument('owner', 'doc', chunks)).rejects.toMatchObject({
      name: 'ChromaConnectionError',
    });
    // Found in an exploratory test: /ready showed the client's advice for
    // browsers (CHROMA_SERVER_CORS_ALLOW_ORIGINS), and not which Chroma.
    const unreachable = `Chroma at ${new URL(gone.url).origin} could not be reached (no connection, or none within its timeout)`;
    await expect(index.ping()).rejects.toMatchObject({
      name: 'ChromaConnectionError',
      message: unreachable,
    });
    await expect(
      ChromaVectorIndex.connect({ url: gone.url, embedding: contractEmbedder }),
    ).rejects.toMatchObject({ name: 'ChromaConnectionError', message: unreachable });
  }, 60000);

  it('refuses records Chroma cannot store with VectorWriteRejectedError and leaves the old version', async () => {
    const index = await ChromaVectorIndex.connect({
      url: chroma.url,
      embedding: contractEmbedder,
      collectionPrefix: 'rejected',
    });
    const before = await indexedChunks('doc', 'The lighthouse keeper logs every passing ship.');
    await index.replaceDocument('owner', 'doc', before);
    // Two write batches; the second holds half a surrogate pair, which Chroma
    // answers 400. The engine never sends that (the chunker cuts between code
    // points), so the chunks are made by hand here.
    const texts = Array.from({ length: 300 }, (_unused, ordinal) =>
      ordinal === 280 ? `Broken \ud800 pair ${ordinal}.` : `Sentence number ${ordinal}.`,
    );
    const vectors = await contractEmbedder.embed(texts);
    const after = texts.map((text, ordinal) => ({
      chunkId: chunkIdFor('doc', ordinal, text),
      documentId: 'doc',
      ordinal,
      text,
      start: 0,
      end: text.length,
      embedding: vectors[ordinal] as Float32Array,
    }));
    await expect(index.replaceDocument('owner', 'doc', after)).rejects.toBeInstanceOf(
      VectorWriteRejectedError,
    );
    // The first batch, stored before the refusal, was taken out again.
    expect(await index.countChunks('owner', 'doc')).toBe(before.length);
    const hits = await index.queryLexical({ ownerId: 'owner', k: 10 }, 'lighthouse sentence');
    expect(hits.map((hit) => hit.text)).toEqual(before.map((chunk) => chunk.text));
    await index.close();
  });

  it("leaves a write Chroma answers 429 to the caller's retry: it is not a refusal of the records", async () => {
    // Chroma, except that record writes are rate limited.
    const limiter = await chromaProxy(async (path) => (isRecordWrite(path) ? 429 : undefined));
    try {
      const index = await ChromaVectorIndex.connect({
        url: limiter.url,
        embedding: contractEmbedder,
        collectionPrefix: 'rate-limited',
      });
      const chunks = await indexedChunks('doc', 'The lighthouse keeper logs every passing ship.');
      const failure: unknown = await index.replaceDocument('owner', 'doc', chunks).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ name: 'ChromaServerError' });
      expect(failure).not.toBeInstanceOf(VectorWriteRejectedError);
      await index.close();
    } finally {
      await limiter.close();
    }
  });

  // Found in review: the listing of the document's ids ran beside the writes.
  // Served after a batch had been stored, it listed that batch as if it had
  // been there before, so the rollback kept it; a listing that failed after
  // the writes passed left the stale chunks in place. Either way the old and
  // the new version were stored side by side.
  describe('a re-index that fails part-way', () => {
    const before = 'The lighthouse keeper logs every passing ship.';
    /** Two write batches (300 chunks), each chunk holding "quokka". */
    const newVersion = () => {
      const texts = Array.from(
        { length: 300 },
        (_unused, ordinal) => `Quokka colony census number ${ordinal}.`,
      );
      return texts.map((text, ordinal) => ({
        chunkId: chunkIdFor('doc', ordinal, text),
        documentId: 'doc',
        ordinal,
        text,
        embedding: contractEmbedder.embedOne(text),
      }));
    };

    /** Indexes `before`, then re-indexes through a proxy that misbehaves only during the re-index. */
    async function failedReindex(misbehave: ChromaProxyRule) {
      let reindexing = false;
      const proxy = await chromaProxy(async (path) => (reindexing ? misbehave(path) : undefined));
      try {
        const index = await ChromaVectorIndex.connect({
          url: proxy.url,
          embedding: contractEmbedder,
          collectionPrefix: `reindex-${(collectionCounter += 1)}`,
        });
        await index.replaceDocument('owner', 'doc', await indexedChunks('doc', before));
        reindexing = true;
        const failure: unknown = await index.replaceDocument('owner', 'doc', newVersion()).then(
          () => undefined,
          (error: unknown) => error,
        );
        reindexing = false;
        const stored = {
          count: await index.countChunks('owner', 'doc'),
          texts: (await index.queryLexical({ ownerId: 'owner', k: 400 }, 'lighthouse quokka')).map(
            (hit) => hit.text,
          ),
        };
        await index.close();
        return { failure, stored };
      } finally {
        await proxy.close();
      }
    }

    it('leaves the old version alone when a later batch fails, however late the listing is served', async () => {
      let writes = 0;
      const { failure, stored } = await failedReindex(async (path) => {
        // A slow listing (a busy server) lands after the first batch was stored ...
        if (isListing(path)) await delay(400);
        // ... and the second batch fails (a restart, a dropped connection).
        if (isRecordWrite(path) && (writes += 1) === 2) return 503;
        return undefined;
      });
      expect(failure).toMatchObject({ name: 'ChromaServerError' });
      expect(stored).toEqual({ count: 1, texts: [before] });
    });

    // Found in review: the stale chunks were removed outside the undo path,
    // so a failed removal left both versions side by side.
    it('leaves the old version alone when removing the stale chunks fails', async () => {
      let deletes = 0;
      const { failure, stored } = await failedReindex(async (path) =>
        path.endsWith('/delete') && (deletes += 1) === 1 ? 503 : undefined,
      );
      expect(failure).toMatchObject({ name: 'ChromaServerError' });
      // The first delete (the stale chunks) failed; the second took the new version back.
      expect(deletes).toBe(2);
      expect(stored).toEqual({ count: 1, texts: [before] });
    });

    it('writes nothing when the listing of the old version fails', async () => {
      let writes = 0;
      const { failure, stored } = await failedReindex(async (path) => {
        if (isRecordWrite(path)) writes += 1;
        return isListing(path) ? 503 : undefined;
      });
      expect(failure).toMatchObject({ name: 'ChromaServerError' });
      expect(writes).toBe(0);
      expect(stored).toEqual({ count: 1, texts: [before] });
    });
  });

  /**
   * `count` made-up words ("zqaax", "zqabx", …) with as many distinct stems:
   * no ending the stemmer cuts.
   */
  function distinctWords(count: number): string[] {
    return Array.from({ length: count }, (_unused, n) => {
      let letters = '';
      for (let rest = n; letters.length < 2 || rest > 0; rest = Math.floor(rest / 26)) {
        letters = String.fromCharCode(97 + (rest % 26)) + letters;
      }
      return `zq${letters}x`;
    });
  }

  // Found in review: the lexical prefilter sent one $regex per distinct term
  // in one $or; from ~990 terms Chroma answered 500 "Expression tree is too
  // large", and the gateway a 503 "store unreachable" quoting it.
  it('searches a query of 1,000 distinct terms by a bounded prefilter, still finding its rarest term', async () => {
    const index = await ChromaVectorIndex.connect({
      url: chroma.url,
      embedding: contractEmbedder,
      collectionPrefix: 'long-query',
    });
    const text = 'The lighthouse keeper logs every passing ship.';
    await index.replaceDocument('owner', 'log', await indexedChunks('log', text));
    await index.replaceDocument(
      'owner',
      'noise',
      await indexedChunks('noise', 'Harbour ships pass every morning.'),
    );
    const query = [...distinctWords(999), 'lighthouse'].join(' ');
    expect(new Set(query.split(' ')).size).toBe(1000);

    const hits = await index.queryLexical({ ownerId: 'owner', k: 5 }, query);
    expect(hits.map((hit) => hit.text)).toEqual([text]);
    await index.close();
  });

  it('prefilters on every term of a usual query, and on the 16 longest of a long one', () => {
    expect(prefilterTerms('What must a redistribution of source code retain?')).toHaveLength(4);
    const long = prefilterTerms(
      `${distinctWords(40).join(' ')} lighthouse keepers ${distinctWords(40).join(' ')}`,
    );
    expect(long).toHaveLength(16);
    expect(long.slice(0, 2)).toEqual([stem('lighthouse'), stem('keepers')]);
  });

  it('answers a chat message of 20,000 characters over Chroma', async () => {
    const { engine, close } = await engineOnChroma();
    try {
      await engine.retrieval.index({
        ownerId: 'talker',
        documentId: 'log',
        title: 'Log',
        text: 'The lighthouse keeper logs every passing ship. The lamp is lit at dusk.',
      });
      let content = 'When does the lighthouse keeper light the lamp? ';
      for (const word of distinctWords(5000)) {
        if (content.length + word.length + 1 > 20_000) break;
        content += `${word} `;
      }
      const result = await engine.retrieval.chat({
        ownerId: 'talker',
        messages: [{ role: 'user', content: content.trim() }],
      });
      expect(result.citations[0]?.documentId).toBe('log');
    } finally {
      await close();
    }
  });

  it('names one collection per embedding model and dimension', () => {
    expect(chromaCollectionName('docuthinker-chunks', 'docuthinker-hashing-v1-384', 384)).toBe(
      'docuthinker-chunks-docuthinker-hashing-v1-384-384',
    );
    expect(chromaCollectionName('x', 'text-embedding-3-small', 1536)).not.toBe(
      chromaCollectionName('x', 'text-embedding-3-small', 512),
    );
  });
});
