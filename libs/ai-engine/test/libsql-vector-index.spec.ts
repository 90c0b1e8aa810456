import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingMismatchError } from '../src/errors';
import { LibsqlVectorIndex, PURGE_BATCH_CHUNKS } from '../src/retrieval/libsql-vector-index';
import { OwnerSearchIndex } from '../src/retrieval/owner-search-index';
import type { IndexedChunk } from '../src/retrieval/vector-index';
import { openLibsql } from '../src/store/open-libsql';
import { corpusText } from './support/corpus';
import {
  contractEmbedder,
  describeVectorIndexContract,
  indexedChunks,
} from './support/vector-index-contract';
import { expectPingFailsOnNearlyFullDisk } from './support/disk-space-readiness';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-libsql-vectors-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeVectorIndexContract('embedded libSQL', async () =>
  LibsqlVectorIndex.open({ path: join(dataDir, 'contract.db'), embedding: contractEmbedder }),
);

describe('LibsqlVectorIndex', () => {
  it('fails its readiness ping when the disk has less free space than it needs', async () => {
    const path = join(dataDir, 'disk-space.db');
    await expectPingFailsOnNearlyFullDisk((minFreeDiskBytes) =>
      LibsqlVectorIndex.open({ path, embedding: contractEmbedder, minFreeDiskBytes }),
    );
  });

  it('records the embedding model and refuses another one on the same file', async () => {
    const path = join(dataDir, 'mismatch.db');
    await LibsqlVectorIndex.open({
      path,
      embedding: { model: 'model-a', dimensions: 384 },
    }).close();
    expect(() =>
      LibsqlVectorIndex.open({ path, embedding: { model: 'model-b', dimensions: 384 } }),
    ).toThrow(EmbeddingMismatchError);
    expect(() =>
      LibsqlVectorIndex.open({ path, embedding: { model: 'model-a', dimensions: 256 } }),
    ).toThrow(/model-a \(384 dimensions\).*model-a \(256 dimensions\)/);
  });

  it('keeps its data across reopening the file', async () => {
    const path = join(dataDir, 'durable.db');
    const first = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    const [vector] = await contractEmbedder.embed(['durable text']);
    await first.replaceDocument('owner', 'doc', [
      {
        chunkId: 'doc#0-x',
        documentId: 'doc',
        ordinal: 0,
        text: 'durable text',
        embedding: vector as Float32Array,
      },
    ]);
    await first.close();
    const second = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    expect(await second.countChunks('owner')).toBe(1);
    await second.close();
  });

  it('opens a file written before chunks kept their title, and a re-index fills it in', async () => {
    const path = join(dataDir, 'before-titles.db');
    const [chunk] = await indexedChunks('old', 'Gannets plunge into the sea for mackerel.');
    const older = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    await older.replaceDocument('owner', 'old', [chunk as IndexedChunk]);
    await older.close();
    const raw = openLibsql(path);
    raw.exec('ALTER TABLE chunks DROP COLUMN title');
    raw.close();

    const reopened = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    try {
      const [untitled] = await reopened.queryLexical({ ownerId: 'owner', k: 1 }, 'gannets');
      expect(untitled).toMatchObject({ chunkId: chunk?.chunkId });
      expect(untitled).not.toHaveProperty('title');
      await reopened.replaceDocument('owner', 'old', [
        { ...(chunk as IndexedChunk), title: 'Gannets' },
      ]);
      const [titled] = await reopened.queryLexical({ ownerId: 'owner', k: 1 }, 'gannets');
      expect(titled?.title).toBe('Gannets');
    } finally {
      await reopened.close();
    }
  });

  it('searches the same from memory whether loaded from the file, kept in step by writes, or evicted', async () => {
    const path = join(dataDir, 'memory.db');
    const query = 'redistributions of source code must retain the copyright notice';
    const [queryVector] = await contractEmbedder.embed([query]);
    const search = async (index: LibsqlVectorIndex, owner: string) => ({
      vector: await index.queryVector({ ownerId: owner, k: 5 }, queryVector as Float32Array),
      lexical: await index.queryLexical({ ownerId: owner, k: 5 }, query),
    });
    // A budget of one chunk: every other owner's search evicts the previous owner.
    const live = LibsqlVectorIndex.open({
      path,
      embedding: contractEmbedder,
      memoryBudgetChunks: 1,
    });
    const apache = await indexedChunks('apache', corpusText('apache-2.0'));
    const bsd = await indexedChunks('bsd', corpusText('bsd'));
    await live.replaceDocument('owner-b', 'apache', apache);
    await live.replaceDocument('owner-b', 'bsd', bsd);
    await live.replaceDocument('owner-a', 'apache', apache);
    expect((await search(live, 'owner-a')).vector[0]?.documentId).toBe('apache');
    // Written after owner-a's index was loaded: found without a reload.
    await live.replaceDocument('owner-a', 'bsd', bsd);
    const loaded = await search(live, 'owner-a');
    expect(loaded.vector[0]?.documentId).toBe('bsd');
    expect(loaded.lexical[0]?.documentId).toBe('bsd');
    expect(await search(live, 'owner-b')).toEqual(loaded);
    expect(await search(live, 'owner-a')).toEqual(loaded);

    await live.removeDocument('owner-a', 'bsd');
    const removed = await search(live, 'owner-a');
    expect([...removed.vector, ...removed.lexical].some((hit) => hit.documentId === 'bsd')).toBe(
      false,
    );
    await live.close();

    const reopened = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    expect(await search(reopened, 'owner-a')).toEqual(removed);
    expect(await search(reopened, 'owner-b')).toEqual(loaded);
    await reopened.close();
  });

  it('lets go of an erased owner in memory, and the erasure outlasts reopening the file', async () => {
    const path = join(dataDir, 'erasure.db');
    const apache = await indexedChunks('apache', corpusText('apache-2.0'));
    const bsd = await indexedChunks('bsd', corpusText('bsd'));
    const [vector] = await contractEmbedder.embed(['redistributions of source code']);
    const search = (index: LibsqlVectorIndex, ownerId: string) =>
      index.queryVector({ ownerId, k: 3 }, vector as Float32Array);
    const live = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    for (const owner of ['owner-a', 'owner-b']) {
      await live.replaceDocument(owner, 'apache', apache);
      await live.replaceDocument(owner, 'bsd', bsd);
      await search(live, owner);
    }
    expect(live.chunksInMemory).toBe(2 * (apache.length + bsd.length));

    expect(await live.removeOwner('owner-a')).toEqual({
      removed: apache.length + bsd.length,
      documents: 2,
    });
    expect(live.chunksInMemory).toBe(apache.length + bsd.length);
    // Written before any search of the erased owner loads it again.
    await live.replaceDocument('owner-a', 'bsd', bsd);
    const again = await search(live, 'owner-a');
    expect(again.length).toBeGreaterThan(0);
    expect(new Set(again.map((hit) => hit.documentId))).toEqual(new Set(['bsd']));
    const ownerB = await search(live, 'owner-b');
    await live.close();

    const reopened = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    expect(await reopened.countChunks('owner-a')).toBe(bsd.length);
    expect(await reopened.countChunks('owner-a', 'apache')).toBe(0);
    expect(await search(reopened, 'owner-b')).toEqual(ownerB);
    expect(await reopened.removeOwner('owner-a')).toEqual({ removed: bsd.length, documents: 1 });
    await reopened.close();

    // Every table that keeps rows per owner, so one added later is checked too.
    const db = openLibsql(path);
    try {
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
          name: string;
        }>
      )
        .map((row) => row.name)
        .filter((name) =>
          (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).some(
            (column) => column.name === 'owner_id',
          ),
        );
      expect(tables).toEqual(expect.arrayContaining(['chunks', 'chunk_vectors']));
      const rows = (owner: string) =>
        tables.map((table) => [
          table,
          (
            db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE owner_id = ?`).get(owner) as {
              n: number;
            }
          ).n,
        ]);
      expect(rows('owner-a')).toEqual(tables.map((table) => [table, 0]));
      expect(rows('owner-b').every(([, n]) => n === apache.length + bsd.length)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('keeps to its memory budget when writes grow an owner already in memory', async () => {
    const apache = await indexedChunks('apache', corpusText('apache-2.0'));
    const bsd = await indexedChunks('bsd', corpusText('bsd'));
    const index = LibsqlVectorIndex.open({
      path: join(dataDir, 'budget.db'),
      embedding: contractEmbedder,
      memoryBudgetChunks: apache.length + bsd.length,
    });
    // A word of the BSD licence: only chunks that share something with a query are hits.
    const [vector] = await contractEmbedder.embed(['redistributions']);
    for (const owner of ['owner-a', 'owner-b']) {
      await index.replaceDocument(owner, 'bsd', bsd);
      await index.queryVector({ ownerId: owner, k: 1 }, vector as Float32Array);
    }
    expect(index.chunksInMemory).toBe(2 * bsd.length);

    // owner-b, in memory, grows past what is left: owner-a (searched longer ago) goes.
    await index.replaceDocument('owner-b', 'apache', apache);
    expect(index.chunksInMemory).toBe(apache.length + bsd.length);
    // And is loaded again, from the file, when searched.
    const hits = await index.queryVector({ ownerId: 'owner-a', k: 1 }, vector as Float32Array);
    expect(hits[0]?.documentId).toBe('bsd');
    await index.close();
  });

  it('erases a large owner in batches of whole documents, letting other work run in between', async () => {
    const index = LibsqlVectorIndex.open({
      path: join(dataDir, 'large-owner.db'),
      embedding: contractEmbedder,
    });
    try {
      // Chunks for two and a half batches: the erasure yields at least twice.
      const chunksPerDocument = 50;
      const documents = Math.ceil((2.5 * PURGE_BATCH_CHUNKS) / chunksPerDocument);
      const [vector] = await contractEmbedder.embed(['a chunk of a large owner']);
      const chunksOf = (documentId: string) =>
        Array.from({ length: chunksPerDocument }, (_, ordinal) => ({
          chunkId: `${documentId}#${ordinal}`,
          documentId,
          ordinal,
          text: `chunk ${ordinal} of ${documentId}`,
          embedding: vector as Float32Array,
        }));
      for (let document = 0; document < documents; document += 1) {
        await index.replaceDocument('large', `doc-${document}`, chunksOf(`doc-${document}`));
      }
      await index.replaceDocument('neighbour', 'doc-0', chunksOf('doc-0'));
      // Loaded into memory, so the erasure must let go of it as well.
      await index.queryVector({ ownerId: 'large', k: 1 }, vector as Float32Array);

      let settled = false;
      const removal = index.removeOwner('large').finally(() => {
        settled = true;
      });
      // A callback queued now runs while the erasure is still under way.
      const ranDuringErasure = await new Promise<boolean>((resolve) =>
        setImmediate(() => resolve(!settled)),
      );
      expect(ranDuringErasure).toBe(true);
      expect(await removal).toEqual({ removed: documents * chunksPerDocument, documents });
      expect(await index.countChunks('large')).toBe(0);
      expect(await index.queryVector({ ownerId: 'large', k: 1 }, vector as Float32Array)).toEqual(
        [],
      );
      expect(await index.countChunks('neighbour')).toBe(chunksPerDocument);
    } finally {
      await index.close();
    }
  });

  // Found by an exploratory test: a 2 MB text's chunks were added to the
  // owner's index in memory all at once, which held every request for seconds.
  it('adds a large document to an owner in memory a batch per turn, and finds all of it after', async () => {
    const loadBatchChunks = 20;
    const index = LibsqlVectorIndex.open({
      path: join(dataDir, 'large-write.db'),
      embedding: contractEmbedder,
      loadBatchChunks,
    });
    try {
      const texts = Array.from({ length: 3 * loadBatchChunks }, (_, n) => `passage ${n} zebra`);
      const vectors = await contractEmbedder.embed(texts);
      const chunks = texts.map((text, ordinal) => ({
        chunkId: `large#${ordinal}`,
        documentId: 'large',
        ordinal,
        text,
        embedding: vectors[ordinal] as Float32Array,
      }));
      await index.replaceDocument('owner', 'seed', [
        { ...(chunks[0] as IndexedChunk), chunkId: 'seed#0', documentId: 'seed' },
      ]);
      // The owner is in memory, kept in step by writes from now on.
      await index.queryLexical({ ownerId: 'owner', k: 1 }, 'zebra');

      let settled = false;
      const writing = index.replaceDocument('owner', 'large', chunks).finally(() => {
        settled = true;
      });
      const ranDuringWrite = await new Promise<boolean>((resolve) =>
        setImmediate(() => resolve(!settled)),
      );
      expect(ranDuringWrite).toBe(true);
      await writing;
      const hits = await index.queryLexical(
        { ownerId: 'owner', k: 100, documentIds: ['large'] },
        'zebra',
      );
      expect(hits).toHaveLength(chunks.length);
    } finally {
      await index.close();
    }
  });

  // Found in review: every owner ever searched kept an index of 256 rows,
  // charged only for its live chunks, so 10,000 owners without chunks grew
  // the gateway by 1.4 GB.
  it('keeps many small or empty owners within its memory budget', async () => {
    const budget = 50;
    const index = LibsqlVectorIndex.open({
      path: join(dataDir, 'many-owners.db'),
      embedding: contractEmbedder,
      memoryBudgetChunks: budget,
    });
    try {
      const [vector] = await contractEmbedder.embed(['a small owner']);
      const search = (ownerId: string) =>
        index.queryVector({ ownerId, k: 1 }, vector as Float32Array);
      for (let owner = 0; owner < 300; owner += 1) {
        expect(await search(`empty-${owner}`)).toEqual([]);
      }
      expect(index.ownersInMemory).toBe(0);
      expect(index.rowsInMemory).toBe(0);

      const chunk = (documentId: string) => ({
        chunkId: `${documentId}#0`,
        documentId,
        ordinal: 0,
        text: 'a small owner',
        embedding: vector as Float32Array,
      });
      for (let owner = 0; owner < 300; owner += 1) {
        const ownerId = `small-${owner}`;
        await index.replaceDocument(ownerId, 'kept', [chunk('kept')]);
        expect(await search(ownerId)).toHaveLength(1);
        // Grown and shrunk again: one live chunk, memory held for more.
        await index.replaceDocument(ownerId, 'gone', [chunk('gone')]);
        await index.removeDocument(ownerId, 'gone');
        expect(index.rowsInMemory).toBeLessThanOrEqual(budget);
      }
      expect(index.ownersInMemory).toBeGreaterThan(0);
      expect(index.ownersInMemory).toBeLessThanOrEqual(budget);
    } finally {
      await index.close();
    }
  });

  describe('loading a large owner on its first search', () => {
    const loadBatchChunks = 75;
    const chunksPerDocument = 50;
    const documents = 40;

    async function chunksOf(documentId: string, version = ''): Promise<IndexedChunk[]> {
      const texts = Array.from(
        { length: chunksPerDocument },
        (_, ordinal) => `chunk ${ordinal} of ${documentId} ${version}`,
      );
      const vectors = await contractEmbedder.embed(texts);
      return texts.map((text, ordinal) => ({
        chunkId: `${documentId}#${String(ordinal).padStart(2, '0')}`,
        documentId,
        ordinal,
        text,
        embedding: vectors[ordinal] as Float32Array,
      }));
    }

    async function openLarge(name: string): Promise<LibsqlVectorIndex> {
      const index = LibsqlVectorIndex.open({
        path: join(dataDir, name),
        embedding: contractEmbedder,
        loadBatchChunks,
      });
      for (let document = 0; document < documents; document += 1) {
        const documentId = `doc-${String(document).padStart(2, '0')}`;
        await index.replaceDocument('large', documentId, await chunksOf(documentId));
      }
      return index;
    }

    const query = 'chunk of doc';
    const queryVector = contractEmbedder.embedOne(query);
    const everything = async (index: LibsqlVectorIndex) => ({
      vector: await index.queryVector({ ownerId: 'large', k: 10_000 }, queryVector),
      lexical: await index.queryLexical({ ownerId: 'large', k: 10_000 }, query),
    });

    afterEach(() => jest.restoreAllMocks());

    it('reads it in batches, letting other work run in between, once for concurrent searches', async () => {
      const index = await openLarge('large-load.db');
      try {
        const added = jest.spyOn(OwnerSearchIndex.prototype, 'add');
        let settled = false;
        const first = everything(index).finally(() => {
          settled = true;
        });
        const second = everything(index);
        // A callback queued now runs while the load is still under way.
        const ranDuringLoad = await new Promise<boolean>((resolve) =>
          setImmediate(() => resolve(!settled)),
        );
        expect(ranDuringLoad).toBe(true);
        const [one, other] = await Promise.all([first, second]);
        expect(added).toHaveBeenCalledTimes(documents * chunksPerDocument);
        expect(one.vector).toHaveLength(documents * chunksPerDocument);
        expect(one.lexical).toHaveLength(documents * chunksPerDocument);
        expect(other).toEqual(one);
        expect(index.chunksInMemory).toBe(documents * chunksPerDocument);
      } finally {
        await index.close();
      }
    });

    it('answers as a fresh load would when documents are written while it loads', async () => {
      const path = 'large-load-writes.db';
      const index = await openLarge(path);
      try {
        let settled = false;
        const searched = everything(index).finally(() => {
          settled = true;
        });
        // doc-00 and part of doc-01 are read by now, the rest not yet.
        await index.replaceDocument('large', 'doc-00', await chunksOf('doc-00', 'rewritten'));
        await index.replaceDocument('large', 'doc-01', (await chunksOf('doc-01', 'v2')).slice(5));
        await index.removeDocument('large', 'doc-30');
        await new Promise((resolve) => setImmediate(resolve));
        await index.replaceDocument('large', 'doc-25', await chunksOf('doc-25', 'rewritten'));
        await index.replaceDocument('large', 'doc-new', await chunksOf('doc-new'));
        await index.removeDocument('large', 'doc-02');
        expect(settled).toBe(false);
        const raced = await searched;

        const fresh = LibsqlVectorIndex.open({
          path: join(dataDir, path),
          embedding: contractEmbedder,
        });
        try {
          expect(raced).toEqual(await everything(fresh));
        } finally {
          await fresh.close();
        }
        expect(raced.vector).toHaveLength(await index.countChunks('large'));
        expect(index.chunksInMemory).toBe(await index.countChunks('large'));
        expect(await everything(index)).toEqual(raced);
      } finally {
        await index.close();
      }
    });

    it('keeps nothing of an owner erased while it loads', async () => {
      const index = await openLarge('large-load-erased.db');
      try {
        const searched = everything(index);
        await index.removeOwner('large');
        await searched;
        expect(index.chunksInMemory).toBe(0);
        expect(index.ownersInMemory).toBe(0);
        expect(await everything(index)).toEqual({ vector: [], lexical: [] });
      } finally {
        await index.close();
      }
    });
  });
});
