import { contentTerms, indexedTerms } from '../text/tokenize';
import { embeddingInputOf } from './prepare-index-document';
import type { ChunkHit } from './vector-index';

/**
 * The vector hits that share a term with the query. The offline embedder's
 * vectors are hashed terms, and two terms whose hashes meet give a chunk
 * that shares nothing with the query a cosine above 0 (found in review: a
 * question about nothing in the owner's documents still "found" passages,
 * so ask sent them to a provider to answer from, and paid for it). A hit is
 * checked against what it was embedded from, its title and its text; one
 * indexed before titles were kept cannot be checked and stays.
 */
export function withoutHashCollisions(query: string, hits: readonly ChunkHit[]): ChunkHit[] {
  const queryTerms = new Set(contentTerms(query));
  return hits.filter(
    (hit) =>
      hit.title === undefined ||
      indexedTerms(embeddingInputOf(hit.title, hit)).some((term) => queryTerms.has(term)),
  );
}
