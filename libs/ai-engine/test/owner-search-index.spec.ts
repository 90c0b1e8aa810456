import { rankBm25 } from '../src/retrieval/bm25';
import { chunkDocument } from '../src/retrieval/chunker';
import { HashingEmbedder } from '../src/retrieval/hashing-embedder';
import { OwnerSearchIndex } from '../src/retrieval/owner-search-index';
import { corpusText } from './support/corpus';

const embedder = new HashingEmbedder(384);
const chunks = (['apache-2.0', 'mpl-2.0', 'bsd'] as const).flatMap((name) =>
  chunkDocument(name, corpusText(name)).map((chunk) => ({
    ...chunk,
    vector: embedder.embedOne(chunk.text),
  })),
);
const QUERIES = [
  'patent license terminates litigation',
  'redistributions in binary form must reproduce the copyright notice',
  'Covered Software distributed under a Secondary License',
  'warranty disclaimer',
];

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, index) => {
    const other = right[index] ?? 0;
    dot += value * other;
    leftNorm += value * value;
    rightNorm += other * other;
  });
  return dot / Math.sqrt(leftNorm * rightNorm);
}

function build(): OwnerSearchIndex {
  const index = new OwnerSearchIndex(384);
  for (const chunk of chunks) index.add(chunk.chunkId, chunk.documentId, chunk.vector, chunk.text);
  return index;
}

describe('OwnerSearchIndex (the embedded store’s in-memory search)', () => {
  it.each(QUERIES)('ranks by cosine exactly as a full scan does: %s', (query) => {
    const vector = embedder.embedOne(query);
    const scan = chunks
      .map((chunk) => ({ chunkId: chunk.chunkId, score: cosine(vector, chunk.vector) }))
      .sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId))
      .slice(0, 10);
    const found = build().searchVector(vector, 10);
    expect(found.map((row) => row.chunkId)).toEqual(scan.map((row) => row.chunkId));
    found.forEach((row, position) =>
      expect(row.score).toBeCloseTo(scan[position]?.score ?? NaN, 5),
    );
  });

  it.each(QUERIES)('ranks by BM25 exactly as the engine’s rankBm25 does: %s', (query) => {
    const expected = rankBm25(
      query,
      chunks.map((chunk) => ({ item: chunk.chunkId, text: chunk.text })),
    ).slice(0, 10);
    const found = build().searchLexical(query, 10);
    expect(found.map((row) => row.chunkId)).toEqual(expected.map((row) => row.item));
    found.forEach((row, position) =>
      expect(row.score).toBeCloseTo(expected[position]?.score ?? NaN, 4),
    );
  });

  it('forgets a removed document in both rankings, and scores as if it had never been added', () => {
    const index = build();
    expect(index.removeDocument('bsd')).toBe(chunks.filter((c) => c.documentId === 'bsd').length);
    expect(index.tombstones).toBeGreaterThan(0);
    const without = new OwnerSearchIndex(384);
    for (const chunk of chunks.filter((c) => c.documentId !== 'bsd'))
      without.add(chunk.chunkId, chunk.documentId, chunk.vector, chunk.text);
    const query = QUERIES[1] as string;
    expect(index.searchLexical(query, 8)).toEqual(without.searchLexical(query, 8));
    expect(index.searchVector(embedder.embedOne(query), 8)).toEqual(
      without.searchVector(embedder.embedOne(query), 8),
    );
    expect(index.removeDocument('bsd')).toBe(0);
  });

  it('restricts to the given documents and returns only lexical matches', () => {
    const index = build();
    const found = index.searchVector(embedder.embedOne(QUERIES[0] as string), 5, new Set(['bsd']));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((row) => row.documentId === 'bsd')).toBe(true);
    expect(index.searchLexical('zyzzyva quux', 5)).toEqual([]);
    expect(index.searchVector(new Float32Array(384), 5)).toEqual([]);
  });

  it('never returns a chunk whose vector is all zeros', () => {
    const index = new OwnerSearchIndex(4);
    index.add('zero', 'd', new Float32Array(4), 'zero words');
    index.add('one', 'd', Float32Array.from([1, 0, 0, 0]), 'one word');
    expect(index.searchVector(Float32Array.from([1, 1, 0, 0]), 5).map((r) => r.chunkId)).toEqual([
      'one',
    ]);
  });

  it('returns only chunks that point the query’s way: none at cosine 0 or below', () => {
    const index = new OwnerSearchIndex(4);
    index.add('along', 'd', Float32Array.from([1, 0, 0, 0]), 'along');
    index.add('orthogonal', 'd', Float32Array.from([0, 1, 0, 0]), 'orthogonal');
    index.add('opposite', 'd', Float32Array.from([-1, 0, 0, 0]), 'opposite');
    expect(index.searchVector(Float32Array.from([1, 0, 0, 0]), 5).map((r) => r.chunkId)).toEqual([
      'along',
    ]);
    expect(index.searchVector(Float32Array.from([0, 0, 1, 0]), 5)).toEqual([]);
  });

  it('ranks by the same terms as BM25 over Chroma’s candidates, also for dotted İ and CJK text', () => {
    const index = new OwnerSearchIndex(4);
    const texts = {
      istanbul: 'İSTANBUL İstanbul: the city on the Bosphorus.',
      tokyo: '東京は日本の首都です。',
      tower: '夜の東京タワーはきれいです。',
    };
    for (const [id, text] of Object.entries(texts)) {
      index.add(id, id, Float32Array.from([1, 0, 0, 0]), text);
    }
    const documents = Object.entries(texts).map(([id, text]) => ({ item: id, text }));
    for (const query of ['istanbul', '東京', '日本の首都']) {
      const found = index.searchLexical(query, 5);
      const ranked = rankBm25(query, documents);
      expect(found.map((row) => row.chunkId)).toEqual(ranked.map((row) => row.item));
      expect(found.length).toBeGreaterThan(0);
    }
  });
});
