import { chunkDocument, chunkIdFor } from '../../src/retrieval/chunker';
import { HashingEmbedder } from '../../src/retrieval/hashing-embedder';
import type { IndexedChunk, VectorIndex } from '../../src/retrieval/vector-index';
import { corpusText } from './corpus';

export const contractEmbedder = new HashingEmbedder(384);

export async function indexedChunks(documentId: string, text: string): Promise<IndexedChunk[]> {
  const chunks = chunkDocument(documentId, text);
  const vectors = await contractEmbedder.embed(chunks.map((chunk) => chunk.text));
  return chunks.map((chunk, index) => ({ ...chunk, embedding: vectors[index] as Float32Array }));
}

/** `count` chunks of one document, each `text` with the same `embedding`. */
export function repeatedChunks(
  documentId: string,
  count: number,
  text: string,
  embedding: Float32Array,
): IndexedChunk[] {
  return Array.from({ length: count }, (_, ordinal) => ({
    chunkId: chunkIdFor(documentId, ordinal, text),
    documentId,
    ordinal,
    text,
    embedding,
  }));
}

/**
 * 400 records of `owner-crowd` (20 documents of 20 chunks) that all hold
 * `text` with `embedding`: what a popular document uploaded by many users
 * leaves in a shared collection.
 */
export async function writeCrowd(
  index: VectorIndex,
  text: string,
  embedding: Float32Array,
): Promise<void> {
  for (let copy = 0; copy < 20; copy += 1) {
    const documentId = `copy-${copy}`;
    await index.replaceDocument(
      'owner-crowd',
      documentId,
      repeatedChunks(documentId, 20, text, embedding),
    );
  }
}

export async function vectorOf(text: string): Promise<Float32Array> {
  return (await contractEmbedder.embed([text]))[0] as Float32Array;
}

/** That `question` finds `documentId` first for `ownerId`, by vector and by terms. */
export async function expectSearchFinds(
  index: VectorIndex,
  ownerId: string,
  documentId: string,
  question: string,
): Promise<void> {
  const hits = await index.queryVector({ ownerId, k: 3 }, await vectorOf(question));
  expect(hits.length).toBeGreaterThan(0);
  expect(hits[0]?.documentId).toBe(documentId);
  const lexical = await index.queryLexical({ ownerId, k: 3 }, question);
  expect(lexical[0]?.documentId).toBe(documentId);
}

/**
 * The behaviour every VectorIndex adapter must have. `open` gives a fresh,
 * empty index; each adapter's spec calls this with its own set-up.
 */
export function describeVectorIndexContract(
  adapter: string,
  open: () => Promise<VectorIndex>,
): void {
  describe(`VectorIndex contract: ${adapter}`, () => {
    let index: VectorIndex;

    beforeAll(async () => {
      index = await open();
    });

    afterAll(async () => {
      await index?.close();
    });

    it('indexes a document idempotently: re-indexing the same text leaves exactly one copy', async () => {
      const chunks = await indexedChunks('apache', corpusText('apache-2.0'));
      const first = await index.replaceDocument('owner-idem', 'apache', chunks);
      const second = await index.replaceDocument('owner-idem', 'apache', chunks);
      expect(first).toEqual({ upserted: chunks.length, removed: 0 });
      expect(second).toEqual({ upserted: chunks.length, removed: 0 });
      expect(await index.countChunks('owner-idem', 'apache')).toBe(chunks.length);
      expect(await index.countChunks('owner-idem')).toBe(chunks.length);

      // The whole text shares terms with every chunk, so every chunk is a hit.
      const hits = await index.queryVector(
        { ownerId: 'owner-idem', k: chunks.length },
        await vectorOf(corpusText('apache-2.0')),
      );
      const ids = hits.map((hit) => hit.chunkId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(chunks.length);
    });

    it('replaces the old chunks when the text changes', async () => {
      const before = await indexedChunks(
        'notes',
        'Zephyr turbines spin above the northern ridge. They make power all winter.',
      );
      await index.replaceDocument('owner-change', 'notes', before);
      const after = await indexedChunks(
        'notes',
        'Quokka colonies live on Rottnest Island. Visitors must not feed them.',
      );
      const result = await index.replaceDocument('owner-change', 'notes', after);

      expect(result).toEqual({ upserted: after.length, removed: before.length });
      expect(await index.countChunks('owner-change', 'notes')).toBe(after.length);
      const query = { ownerId: 'owner-change', k: 5 };
      expect(await index.queryLexical(query, 'zephyr turbines')).toEqual([]);
      const lexical = await index.queryLexical(query, 'quokka colonies');
      expect(lexical.map((hit) => hit.text)).toEqual([after[0]?.text]);
      const vector = await index.queryVector(query, await vectorOf('zephyr turbines ridge'));
      expect(vector.every((hit) => !hit.text.includes('Zephyr'))).toBe(true);
    });

    it('keeps the chunks an edit leaves unchanged and drops the ones it removes', async () => {
      const text = corpusText('apache-2.0');
      const full = await indexedChunks('edited', text);
      const shorter = await indexedChunks('edited', text.slice(0, Math.floor(text.length / 2)));
      const kept = shorter.filter((chunk) => full.some((old) => old.chunkId === chunk.chunkId));
      expect(kept.length).toBeGreaterThan(0);
      expect(shorter.length).toBeLessThan(full.length);

      await index.replaceDocument('owner-edit', 'edited', full);
      const result = await index.replaceDocument('owner-edit', 'edited', shorter);

      expect(result).toEqual({ upserted: shorter.length, removed: full.length - kept.length });
      expect(await index.countChunks('owner-edit', 'edited')).toBe(shorter.length);
      const hits = await index.queryVector(
        { ownerId: 'owner-edit', k: full.length },
        await vectorOf('license derivative works'),
      );
      expect(hits.map((hit) => hit.chunkId).sort()).toEqual(
        shorter.map((chunk) => chunk.chunkId).sort(),
      );
      for (const hit of hits) {
        expect(hit.text).toBe(shorter.find((chunk) => chunk.chunkId === hit.chunkId)?.text);
      }
    });

    // Found by an exploratory test: a renamed document kept its old vectors in Chroma.
    it('stores the embedding it is given for a chunk whose text stays (a renamed document)', async () => {
      const text = 'Falcons nest on the cliffs above the harbour.';
      const chunks = await indexedChunks('renamed', text);
      await index.replaceDocument('owner-rename', 'renamed', chunks);
      // The embedding is of the title and the chunk: a new title, a new vector.
      const renamedVector = await vectorOf(`Quokka sightings\n\n${text}`);
      const renamed = chunks.map((chunk) => ({ ...chunk, embedding: renamedVector }));
      const result = await index.replaceDocument('owner-rename', 'renamed', renamed);

      expect(result.upserted).toBe(chunks.length);
      expect(await index.countChunks('owner-rename', 'renamed')).toBe(chunks.length);
      const [hit] = await index.queryVector({ ownerId: 'owner-rename', k: 1 }, renamedVector);
      expect(hit?.chunkId).toBe(chunks[0]?.chunkId);
      expect(hit?.score).toBeCloseTo(1, 3);
    });

    it('returns the title a chunk was embedded with, by vector and by terms, and none where none was given', async () => {
      const text = 'Puffins dive for sand eels off the skerries.';
      const [untitled] = await indexedChunks('puffins', text);
      await index.replaceDocument('owner-title', 'puffins', [untitled as IndexedChunk]);
      const vector = await vectorOf(text);
      const [before] = await index.queryVector({ ownerId: 'owner-title', k: 1 }, vector);
      expect(before).toBeDefined();
      expect(before).not.toHaveProperty('title');

      const titled = { ...(untitled as IndexedChunk), title: 'Seabirds: a field guide' };
      await index.replaceDocument('owner-title', 'puffins', [titled]);
      const [byVector] = await index.queryVector({ ownerId: 'owner-title', k: 1 }, vector);
      const [byTerms] = await index.queryLexical({ ownerId: 'owner-title', k: 1 }, 'puffins');
      expect(byVector?.title).toBe('Seabirds: a field guide');
      expect(byTerms?.title).toBe('Seabirds: a field guide');
    });

    it('gives a reused chunk id the new text', async () => {
      const [first] = await indexedChunks(
        'reused',
        'Walruses haul out on the ice floes in spring.',
      );
      const [second] = await indexedChunks(
        'reused',
        'Narwhals surface between the pack ice in autumn.',
      );
      const chunkId = 'reused#custom-id';
      await index.replaceDocument('owner-reuse', 'reused', [
        { ...(first as IndexedChunk), chunkId },
      ]);
      const result = await index.replaceDocument('owner-reuse', 'reused', [
        { ...(second as IndexedChunk), chunkId },
      ]);

      expect(result).toEqual({ upserted: 1, removed: 0 });
      expect(await index.countChunks('owner-reuse', 'reused')).toBe(1);
      const query = { ownerId: 'owner-reuse', k: 5 };
      expect(await index.queryLexical(query, 'walruses floes')).toEqual([]);
      expect((await index.queryLexical(query, 'narwhals')).map((hit) => hit.text)).toEqual([
        second?.text,
      ]);
      const vector = await index.queryVector(query, await vectorOf('narwhals pack ice'));
      expect(vector.map((hit) => [hit.chunkId, hit.text])).toEqual([[chunkId, second?.text]]);
    });

    it('never returns one owner’s chunks to another, even for the same document id', async () => {
      const alice = await indexedChunks(
        'shared-id',
        'Alice keeps the launch codes for the orbital telescope in a blue notebook.',
      );
      const bob = await indexedChunks(
        'shared-id',
        'Bob grows heirloom tomatoes and writes about compost.',
      );
      const aliceOther = await indexedChunks(
        'alice-only',
        'The orbital telescope launch is scheduled for the spring equinox.',
      );
      // Interleaved writes, so adapter ordering cannot hide a leak.
      await index.replaceDocument('alice', 'shared-id', alice);
      await index.replaceDocument('bob', 'shared-id', bob);
      await index.replaceDocument('alice', 'alice-only', aliceOther);

      // Words of both owners' chunks: each owner must find only its own.
      const telescope = await vectorOf('orbital telescope launch codes heirloom tomatoes');
      const bobVector = await index.queryVector({ ownerId: 'bob', k: 10 }, telescope);
      const bobLexical = await index.queryLexical(
        { ownerId: 'bob', k: 10 },
        'orbital telescope launch codes',
      );
      const bobFiltered = await index.queryVector(
        { ownerId: 'bob', k: 10, documentIds: ['alice-only', 'shared-id'] },
        telescope,
      );
      for (const hit of [...bobVector, ...bobLexical, ...bobFiltered]) {
        expect(hit.text).not.toMatch(/telescope|Alice/);
      }
      expect(bobLexical).toEqual([]);
      expect(bobVector.map((hit) => hit.text)).toEqual([bob[0]?.text]);

      const aliceVector = await index.queryVector({ ownerId: 'alice', k: 10 }, telescope);
      expect(aliceVector.map((hit) => hit.documentId).sort()).toEqual(['alice-only', 'shared-id']);
      expect(aliceVector.every((hit) => !hit.text.includes('tomatoes'))).toBe(true);

      await index.removeDocument('bob', 'shared-id');
      expect(await index.countChunks('alice', 'shared-id')).toBe(alice.length);
    });

    it.each([
      ['NUL', 'NUL\u0000inside text. Another sentence with \u0000 NUL Acme Corporation.'],
      ['emoji, flags and joiners', '🧪 Tests 🇫🇷 pass ✅. 👩\u200d💻 e\u0301 naïve café.'],
      ['right-to-left and CJK text', 'مرحبا بالعالم. שלום עולם. 猫很可爱。狗也很忠诚。'],
      ['control characters', 'bell \u0007 tab \t escape \u001b end.'],
    ])('returns exactly the text it stored: %s', async (_case, text) => {
      const chunks = await indexedChunks('unicode', `Zebra marker. ${text}`);
      await index.replaceDocument('owner-unicode', 'unicode', chunks);
      const byVector = await index.queryVector(
        { ownerId: 'owner-unicode', k: 5 },
        await vectorOf('zebra marker'),
      );
      const byTerms = await index.queryLexical({ ownerId: 'owner-unicode', k: 5 }, 'zebra');
      expect(byVector.map((hit) => hit.text)).toEqual([`Zebra marker. ${text}`]);
      expect(byTerms.map((hit) => hit.text)).toEqual([`Zebra marker. ${text}`]);
    });

    // Found in review: every chunk with a vector was a hit, however little it
    // had to do with the query, so a hybrid search or an answer always had
    // passages; Chroma also returned chunks whose vector is all zeros.
    it('finds by vector only chunks that point the query’s way: none that share nothing with it', async () => {
      const owner = 'owner-unrelated';
      const text = 'Lighthouse keepers log every passing ship.';
      await index.replaceDocument(owner, 'log', await indexedChunks('log', text));
      // Emoji and numbers give no terms, so this chunk's vector is all zeros.
      await index.replaceDocument(owner, 'symbols', await indexedChunks('symbols', '🧪 ✅ 42 🇫🇷'));
      const query = { ownerId: owner, k: 10 };

      expect(await index.queryVector(query, await vectorOf('capital of Peru'))).toEqual([]);
      const hits = await index.queryVector(query, await vectorOf('lighthouse ship'));
      expect(hits.map((hit) => hit.text)).toEqual([text]);
      expect(hits[0]?.score).toBeGreaterThan(0);
    });

    // Found in review: Chroma's owner-filtered HNSW search came back short
    // when hundreds of another owner's records had the query's vector (a
    // popular document that many users upload): of 3 matching chunks it found 2.
    it('finds every matching chunk of an owner even when hundreds of other records repeat its text', async () => {
      const boilerplate =
        'Licensed under the Apache License, Version 2.0, with attribution notices.';
      const repeated = await vectorOf(boilerplate);
      await writeCrowd(index, boilerplate, repeated);
      const variant = `${boilerplate} Notices stay.`;
      const own: IndexedChunk[] = [
        ...repeatedChunks('lone', 2, boilerplate, repeated),
        {
          chunkId: chunkIdFor('lone', 2, variant),
          documentId: 'lone',
          ordinal: 2,
          text: variant,
          embedding: await vectorOf(variant),
        },
      ];
      await index.replaceDocument('owner-lone', 'lone', own);
      const ownIds = own.map((chunk) => chunk.chunkId).sort();

      const hits = await index.queryVector({ ownerId: 'owner-lone', k: 3 }, repeated);
      expect(hits.map((hit) => hit.chunkId).sort()).toEqual(ownIds);
      expect(hits[0]?.score).toBeCloseTo(1, 5);
      const filtered = await index.queryVector(
        { ownerId: 'owner-lone', k: 6, documentIds: ['lone', 'copy-0'] },
        repeated,
      );
      expect(filtered.map((hit) => hit.chunkId).sort()).toEqual(ownIds);
      // Best first; the two identical chunks tie and come in chunk-id order.
      expect(filtered.map((hit) => hit.text)).toEqual([boilerplate, boilerplate, variant]);
    });

    it('stores a run of emoji longer than a chunk as whole code points', async () => {
      const text = `Zebra${'😀'.repeat(800)}`;
      const chunks = await indexedChunks('emoji', text);
      expect(chunks.length).toBeGreaterThan(1);
      await index.replaceDocument('owner-emoji', 'emoji', chunks);
      const hits = await index.queryLexical({ ownerId: 'owner-emoji', k: 10 }, 'zebra');
      expect(await index.countChunks('owner-emoji', 'emoji')).toBe(chunks.length);
      expect(hits.map((hit) => hit.text)).toEqual([chunks[0]?.text]);
      expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
    });

    it('deletes a document’s chunks and only those', async () => {
      await index.replaceDocument(
        'owner-delete',
        'bsd',
        await indexedChunks('bsd', corpusText('bsd')),
      );
      await index.replaceDocument(
        'owner-delete',
        'mpl',
        await indexedChunks('mpl', corpusText('mpl-2.0')),
      );
      const removed = await index.removeDocument('owner-delete', 'bsd');
      expect(removed.removed).toBeGreaterThan(0);
      expect(await index.countChunks('owner-delete', 'bsd')).toBe(0);
      const hits = await index.queryLexical(
        { ownerId: 'owner-delete', k: 20 },
        'redistributions binary form',
      );
      expect(hits.every((hit) => hit.documentId === 'mpl')).toBe(true);
      expect(await index.removeDocument('owner-delete', 'bsd')).toEqual({ removed: 0 });
    });

    describe('erasing an owner', () => {
      // The other owner's id starts with the erased one's: a prefix match would take its chunks too.
      const [erased, kept] = ['erase-me', 'erase-me-not'];
      const query = 'orbital telescope patent license redistributions lanterns';
      let erasedChunks: Record<string, IndexedChunk[]>;
      let keptChunks: Record<string, IndexedChunk[]>;
      const search = async (ownerId: string, documentIds?: string[]) => ({
        vector: await index.queryVector({ ownerId, k: 50, documentIds }, await vectorOf(query)),
        lexical: await index.queryLexical({ ownerId, k: 50, documentIds }, query),
      });
      let keptBefore: Awaited<ReturnType<typeof search>>;

      beforeAll(async () => {
        erasedChunks = {
          apache: await indexedChunks('apache', corpusText('apache-2.0')),
          shared: await indexedChunks(
            'shared',
            'The orbital telescope launch codes are kept in a blue notebook.',
          ),
          notes: await indexedChunks(
            'notes',
            'Lanterns light the harbour after dusk. The orbital ferry leaves at dawn.',
          ),
        };
        keptChunks = {
          shared: await indexedChunks(
            'shared',
            'The orbital telescope on the hill is open to visitors. Lanterns guide the path.',
          ),
          bsd: await indexedChunks('bsd', corpusText('bsd')),
        };
        // Interleaved, and with a document id both owners use.
        for (const [ownerId, documentId] of [
          [erased, 'apache'],
          [kept, 'shared'],
          [erased, 'shared'],
          [kept, 'bsd'],
          [erased, 'notes'],
        ] as const) {
          const chunks = (ownerId === erased ? erasedChunks : keptChunks)[documentId];
          await index.replaceDocument(ownerId, documentId, chunks as IndexedChunk[]);
        }
      });

      it("removes every chunk of the owner and only the owner's", async () => {
        const erasedCount = Object.values(erasedChunks).reduce((n, chunks) => n + chunks.length, 0);
        const keptCount = Object.values(keptChunks).reduce((n, chunks) => n + chunks.length, 0);
        expect(await index.countChunks(erased)).toBe(erasedCount);
        expect(await index.countChunks(kept)).toBe(keptCount);
        // Searched before, so an adapter that caches an owner's index must let go of it.
        const erasedBefore = await search(erased);
        expect(new Set(erasedBefore.vector.map((hit) => hit.documentId))).toEqual(
          new Set(['apache', 'shared', 'notes']),
        );
        expect(erasedBefore.lexical.length).toBeGreaterThan(0);
        keptBefore = await search(kept);
        expect(new Set(keptBefore.lexical.map((hit) => hit.documentId))).toEqual(
          new Set(['shared', 'bsd']),
        );

        expect(await index.removeOwner(erased)).toEqual({ removed: erasedCount, documents: 3 });

        expect(await index.countChunks(erased)).toBe(0);
        for (const documentId of Object.keys(erasedChunks)) {
          expect(await index.countChunks(erased, documentId)).toBe(0);
        }
        expect(await search(erased)).toEqual({ vector: [], lexical: [] });
        expect(await search(erased, ['shared', 'notes'])).toEqual({ vector: [], lexical: [] });
        expect(await index.queryLexical({ ownerId: erased, k: 10 }, 'apache')).toEqual([]);

        expect(await index.countChunks(kept)).toBe(keptCount);
        expect(await index.countChunks(kept, 'shared')).toBe(keptChunks['shared']?.length);
        expect(await search(kept)).toEqual(keptBefore);
      });

      it('is idempotent: a second erasure, or one of an unknown owner, removes nothing', async () => {
        expect(await index.removeOwner(erased)).toEqual({ removed: 0, documents: 0 });
        expect(await index.removeOwner('never-indexed-owner')).toEqual({
          removed: 0,
          documents: 0,
        });
        expect(await search(kept)).toEqual(keptBefore);
      });

      it('indexes and finds the owner again after the erasure', async () => {
        const notes = erasedChunks['notes'] as IndexedChunk[];
        // The same chunk ids as before the erasure.
        expect(await index.replaceDocument(erased, 'notes', notes)).toEqual({
          upserted: notes.length,
          removed: 0,
        });
        expect(await index.countChunks(erased)).toBe(notes.length);
        const found = await search(erased);
        expect(found.vector.map((hit) => hit.chunkId).sort()).toEqual(
          notes.map((chunk) => chunk.chunkId).sort(),
        );
        expect(found.lexical.map((hit) => hit.text)).toEqual(notes.map((chunk) => chunk.text));
        // Scored as an owner who only ever had these chunks: nothing erased still weighs in.
        await index.replaceDocument('erase-reference', 'notes', notes);
        expect(found).toEqual(await search('erase-reference'));
        expect(await search(kept)).toEqual(keptBefore);

        expect(await index.removeOwner(erased)).toEqual({ removed: notes.length, documents: 1 });
        expect(await search(erased)).toEqual({ vector: [], lexical: [] });
      });

      it('refuses an erasure without an owner', async () => {
        await expect(index.removeOwner('')).rejects.toThrow(/ownerId/);
        await expect(index.removeOwner('   ')).rejects.toThrow(/ownerId/);
        expect(await index.countChunks(kept)).toBeGreaterThan(0);
      });
    });

    describe('ranking over the corpus', () => {
      const owner = 'owner-rank';

      beforeAll(async () => {
        await index.replaceDocument(
          owner,
          'apache',
          await indexedChunks('apache', corpusText('apache-2.0')),
        );
        await index.replaceDocument(
          owner,
          'mpl',
          await indexedChunks('mpl', corpusText('mpl-2.0')),
        );
        await index.replaceDocument(owner, 'bsd', await indexedChunks('bsd', corpusText('bsd')));
      });

      it.each([
        ['Regents of the University of California endorse promote', 'bsd'],
        ['Mozilla Public License Covered Software Executable Form', 'mpl'],
        ['Apache License Derivative Works NOTICE text file', 'apache'],
      ])('ranks the document whose words the query uses first: "%s"', async (query, expected) => {
        const vector = await index.queryVector({ ownerId: owner, k: 3 }, await vectorOf(query));
        const lexical = await index.queryLexical({ ownerId: owner, k: 3 }, query);
        expect(vector[0]?.documentId).toBe(expected);
        expect(lexical[0]?.documentId).toBe(expected);
        expect(vector[0]?.score).toBeGreaterThan(vector[2]?.score ?? -1);
      });

      it('finds a word by any of its forms: "companies" for "company", "study" for "studies"', async () => {
        const inflections = 'inflection-owner';
        await index.replaceDocument(
          inflections,
          'forms',
          await indexedChunks('forms', 'Several companies published studies about turbines.'),
        );
        for (const query of ['company', 'companies', 'study', 'studies', 'turbine']) {
          const hits = await index.queryLexical({ ownerId: inflections, k: 3 }, query);
          expect({ query, found: hits.map((hit) => hit.documentId) }).toEqual({
            query,
            found: ['forms'],
          });
        }
      });

      /** The documents a lexical query finds for `owner`, whose documents are written on first use. */
      const foundByTerms = async (
        owner: string,
        documents: readonly (readonly [string, string])[],
        query: string,
      ): Promise<string[]> => {
        if ((await index.countChunks(owner)) === 0) {
          for (const [documentId, text] of documents) {
            await index.replaceDocument(owner, documentId, await indexedChunks(documentId, text));
          }
        }
        const hits = await index.queryLexical({ ownerId: owner, k: 10 }, query);
        return hits.map((hit) => hit.documentId);
      };

      // Found in review: "istanbul" did not find "İSTANBUL" ("İ" lower-cases
      // to "i" + U+0307), and "東京" did not find a run of Japanese holding
      // it. Both adapters must find them, by the same terms.
      it.each([
        ['istanbul', ['english', 'turkish']],
        ['İSTANBUL', ['english', 'turkish']],
        ['ıstanbul', ['english', 'turkish']],
        ['izmir', ['decomposed']],
        ['東京', ['japanese', 'tower']],
        ['日本の首都', ['japanese']],
        ['タワー', ['tower']],
        // Found in review: a one-character word found nothing inside a run.
        ['猫', ['cat']],
        ['首', ['japanese']],
      ])(
        'finds "%s" whatever the case rules and word boundaries of its script',
        async (query, expected) => {
          const found = await foundByTerms(
            'unicode-terms-owner',
            [
              ['turkish', 'İSTANBUL İstanbul: the city on the Bosphorus.'],
              // A capital I and a combining dot above, as decomposed (NFD) text stores "İ".
              ['decomposed', 'I\u0307zmir lies on the Aegean coast.'],
              ['english', 'Istanbul and Tokyo are large cities.'],
              ['japanese', '東京は日本の首都です。'],
              ['tower', '夜の東京タワーはきれいです。'],
              ['cat', '我的猫很可爱。'],
            ],
            query,
          );
          expect({ query, found: found.sort() }).toEqual({ query, found: expected });
        },
      );

      // Found by an exploratory test: a soft hyphen (a DOCX optional hyphen)
      // or a joiner inside a word cut it into fragments, so "confidential"
      // found no "con\u00ADfi\u00ADden\u00ADtial". The stored text keeps them.
      it.each([
        ['confidential', ['hyphenated']],
        ['con\u00ADfi\u00ADden\u00ADtial', ['hyphenated']],
        ['agreement', ['hyphenated']],
        ['müller', ['joined']],
        ['companies', ['joined']],
        ['berlin', []],
      ])(
        'finds "%s" written with soft hyphens or joiners inside its words',
        async (query, expected) => {
          const found = await foundByTerms(
            'in-word-ignorables-owner',
            [
              ['hyphenated', 'The agree\u00ADment is con\u00ADfi\u00ADden\u00ADtial.'],
              ['joined', 'Mül\u200Dler owns two compa\u2060nies.'],
              // A zero-width space marks where a word may break: two words.
              ['spaced', 'Signed in Ber\u200Blin.'],
            ],
            query,
          );
          expect({ query, found: found.sort() }).toEqual({ query, found: expected });
        },
      );

      // Found by an exploratory test: Chroma's prefilter looked for the
      // NFKC-folded term in the stored text, so "finance" did not find "ﬁnance"
      // (a ligature) nor "fullwidth" "ＦＵＬＬＷＩＤＴＨ", which the embedded
      // store, folding the stored text, found.
      it.each([
        ['finance', ['tr']],
        ['fullwidth', ['fw']],
        ['ＦＵＬＬＷＩＤＴＨ', ['fw']],
        ['ﬁnance office', ['tr']],
        ['džemal', ['tr']],
        ['istanbul', ['tr']],
        ['circled', ['fw']],
      ])('finds "%s" in text written with compatibility forms', async (query, expected) => {
        const found = await foundByTerms(
          'compatibility-forms-owner',
          [
            ['tr', 'İSTANBUL büyük bir şehirdir. ǅemal was here. ﬁnance office.'],
            ['fw', 'ＦＵＬＬＷＩＤＴＨ text and ① circled.'],
          ],
          query,
        );
        expect({ query, found }).toEqual({ query, found: expected });
      });

      // Found in an exploratory test: the backend's content search found
      // "Łódź" for "lodz" and chat did not; terms now read letters alike.
      it.each([
        ['lodz', ['pl']],
        ['krakow', ['pl']],
        ['Kraków', ['pl']],
        ['zurich', ['ch']],
        ['aeroskobing', ['dk']],
        ['strasse', ['ch']],
        ['αθηνα', ['gr']],
      ])('finds "%s" in text written with accents and strokes', async (query, expected) => {
        const found = await foundByTerms(
          'letter-folds-owner',
          [
            ['pl', 'Łódź and Kraków lie in Poland.'],
            // Decomposed: "u" and a combining diaeresis, as some PDFs write it.
            ['ch', 'Zu\u0308rich has a Straße by the station.'],
            ['dk', 'Ærøskøbing is a town.'],
            ['gr', 'Η Αθήνα είναι πρωτεύουσα.'],
          ],
          query,
        );
        expect({ query, found }).toEqual({ query, found: expected });
      });

      // Found in review: Chroma's prefilter put `\b` before a term, and its
      // regex reads "_" as part of a word where the tokenizer splits on it, so
      // "tokens budget" did not find "max_tokens" and "retry_budget".
      it.each(['tokens budget', 'tokens', 'budget'])(
        'finds "%s" in identifiers joined by underscores, as the tokenizer splits them',
        async (query) => {
          const found = await foundByTerms(
            'underscore-owner',
            [
              ['config', 'Set max_tokens and retry_budget in the config file.'],
              ['harbour', 'Ferries cross the harbour at dawn.'],
            ],
            query,
          );
          expect({ query, found }).toEqual({ query, found: ['config'] });
        },
      );

      // Found in review: the tokenizer drops Arabic harakat and Hebrew points,
      // which queries leave out; the stored text keeps them.
      // A second review: both stores must find the same words, whatever marks
      // or decompositions the stored text holds (one list of marks for both).
      it.each([
        ['الطالب المدرسة', 'arabic'],
        ['كتب', 'arabic'],
        ['שלום', 'hebrew'],
        ['أحمد', 'decomposed'],
        ['وَأُو۟لَـٰٓئِكَ', 'uthmani'],
        ['ܟܬ̈ܒܐ', 'syriac'],
        ['man̈ana', 'latin'],
      ])(
        'finds "%s" in text written with its optional marks or decomposed',
        async (query, expected) => {
          const found = await foundByTerms(
            'vowel-marks-owner',
            [
              ['arabic', 'جاء الطالبُ إلى المدرسةِ صباحاً، كَتَبَ الدرسَ.'],
              ['hebrew', 'שָׁלוֹם לְכֻלָּם.'],
              ['decomposed', 'جاء ا\u0654حمد أمس.'],
              ['uthmani', 'وَأُو۟لَـٰٓئِكَ هُمُ ٱلْمُفْلِحُونَ'],
              ['syriac', 'ܟܬ̈ܒܐ ܚܕܬܐ'],
              ['latin', 'Hasta man̈ana, amigos.'],
              ['harbour', 'Ferries cross the harbour at dawn.'],
            ],
            query,
          );
          expect({ query, found }).toEqual({ query, found: [expected] });
        },
      );

      it("scores one owner's chunks the same however much another owner stores", async () => {
        const [quiet, busy] = ['idf-quiet-owner', 'idf-busy-owner'];
        await index.replaceDocument(
          quiet,
          'a',
          await indexedChunks('a', 'Lanterns light the harbour.'),
        );
        await index.replaceDocument(
          quiet,
          'b',
          await indexedChunks('b', 'Ferries cross the harbour.'),
        );
        const scores = async () =>
          (await index.queryLexical({ ownerId: quiet, k: 3 }, 'lanterns harbour')).map(
            (hit) => `${hit.documentId} ${hit.score}`,
          );
        const before = await scores();
        for (let n = 0; n < 20; n += 1) {
          await index.replaceDocument(
            busy,
            `noise-${n}`,
            await indexedChunks(`noise-${n}`, `Harbour log ${n}: calm water, no lanterns lit.`),
          );
        }
        expect(await scores()).toEqual(before);
      });

      it('restricts results to the given documents', async () => {
        const hits = await index.queryVector(
          { ownerId: owner, k: 10, documentIds: ['mpl'] },
          await vectorOf('Regents University California'),
        );
        expect(hits.length).toBeGreaterThan(0);
        expect(hits.every((hit) => hit.documentId === 'mpl')).toBe(true);
        expect(
          await index.queryVector(
            { ownerId: owner, k: 10, documentIds: [] },
            await vectorOf('licence'),
          ),
        ).toEqual([]);
      });

      it('refuses a query without an owner', async () => {
        await expect(
          index.queryVector({ ownerId: '', k: 3 }, await vectorOf('license')),
        ).rejects.toThrow(/ownerId/);
        await expect(index.queryLexical({ ownerId: ' ', k: 3 }, 'license')).rejects.toThrow(
          /ownerId/,
        );
      });
    });
  });
}
