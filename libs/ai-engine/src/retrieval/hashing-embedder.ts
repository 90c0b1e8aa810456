import { fnv1a32 } from '../text/hashing';
import { contentTerms, termFrequencies } from '../text/tokenize';
import type { Embedder } from './embedder';

export const HASHING_EMBEDDER_MODEL = 'docuthinker-hashing-v1';
const BIGRAM_WEIGHT = 0.5;

/**
 * Deterministic lexical embedding by feature hashing (Weinberger et al.,
 * 2009): stemmed content unigrams and adjacent bigrams, sublinear term
 * frequency, a hash-derived sign to cancel collisions on average, then L2
 * normalisation so that the dot product is the cosine. It captures word
 * overlap, not meaning, and needs no model download: the honest offline
 * default.
 */
export class HashingEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimensions = 384) {
    if (!Number.isInteger(dimensions) || dimensions < 8)
      throw new RangeError('dimensions must be an integer ≥ 8');
    this.model = `${HASHING_EMBEDDER_MODEL}-${dimensions}`;
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const terms = contentTerms(text);
    const add = (feature: string, weight: number) => {
      const hash = fnv1a32(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      const index = hash % this.dimensions;
      vector[index] = (vector[index] ?? 0) + sign * weight;
    };
    for (const [term, count] of termFrequencies(terms)) add(`u:${term}`, 1 + Math.log(count));
    const bigrams = terms.slice(1).map((term, index) => `b:${terms[index]} ${term}`);
    for (const [bigram, count] of termFrequencies(bigrams))
      add(bigram, BIGRAM_WEIGHT * (1 + Math.log(count)));

    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm > 0)
      for (let index = 0; index < vector.length; index += 1)
        vector[index] = (vector[index] ?? 0) / norm;
    return vector;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }
}

export function isZeroVector(vector: Float32Array): boolean {
  return vector.every((value) => value === 0);
}
