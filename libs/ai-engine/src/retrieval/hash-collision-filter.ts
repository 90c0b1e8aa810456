import { contentTerms, indexedTerms } from '../text/tokenize';
import { embeddingInputOf } from './prepare-index-document';
import type { ChunkHit, ChunkQuery, VectorIndex } from './vector-index';

/**
 * How much deeper than its first read a vector search with the offline
 * embedder may read, and the most hits it reads at all (see
 * nearestSharingTerms).
 */
const DEEPEST_READ_FACTOR = 16;
const DEEPEST_READ = 800;

/**
 * Whether a hit shares a term with the query. The offline embedder's vectors
 * are hashed terms, and two terms whose hashes meet give a chunk that shares
 * nothing with the query a cosine above 0 (found in review: a question about
 * nothing in the owner's documents still "found" passages, so ask sent them
 * to a provider to answer from, and paid for it). A hit is checked against
 * what it was embedded from, its title and its text; one indexed before
 * titles were kept cannot be checked and stays.
 */
function sharesTerm(hit: ChunkHit, queryTerms: ReadonlySet<string>): boolean {
  return (
    hit.title === undefined ||
    indexedTerms(embeddingInputOf(hit.title, hit)).some((term) => queryTerms.has(term))
  );
}

/**
 * The nearest hits to the offline embedder's `vector` that share a term
 * with `query`, at least `wanted` of them when the index holds that many
 * within reach. Collisions are common (a chunk of a hundred terms meets a
 * one-word query's hash in about a quarter of 384 dimensions), so among many
 * short chunks they filled every place of one read of `chunkQuery.k` and a
 * chunk that holds the word went unfound (exploratory test: "non-exclusive"
 * found nothing at k = 1 next to a PDF's chunks). While fewer than `wanted`
 * are found and the index had more, it reads four times deeper, up to
 * DEEPEST_READ_FACTOR times the first read and DEEPEST_READ hits; each hit is
 * checked once.
 */
export async function nearestSharingTerms(
  index: Pick<VectorIndex, 'queryVector'>,
  chunkQuery: ChunkQuery,
  vector: Float32Array,
  query: string,
  wanted: number,
): Promise<ChunkHit[]> {
  const queryTerms = new Set(contentTerms(query));
  const verdicts = new Map<string, boolean>();
  const deepest = Math.max(
    chunkQuery.k,
    Math.min(chunkQuery.k * DEEPEST_READ_FACTOR, DEEPEST_READ),
  );
  for (let read = chunkQuery.k; ; read = Math.min(read * 4, deepest)) {
    const hits = await index.queryVector({ ...chunkQuery, k: read }, vector);
    const sharing = hits.filter((hit) => {
      let verdict = verdicts.get(hit.chunkId);
      if (verdict === undefined) {
        verdict = sharesTerm(hit, queryTerms);
        verdicts.set(hit.chunkId, verdict);
      }
      return verdict;
    });
    if (sharing.length >= wanted || hits.length < read || read >= deepest) return sharing;
  }
}
