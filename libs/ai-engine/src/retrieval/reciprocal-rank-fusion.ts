import { compareCodeUnits } from '../text/code-unit-order';
import type { ChunkHit } from './vector-index';

/** Cormack et al. (2009): k = 60 dampens the weight of the very top ranks. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: a chunk scores the sum of 1 / (k + rank) over the
 * rankings it appears in, so agreement between vector and lexical search wins
 * without comparing their incomparable raw scores.
 */
export function reciprocalRankFusion(
  rankings: readonly (readonly ChunkHit[])[],
  limit: number,
  k = RRF_K,
): ChunkHit[] {
  const fused = new Map<string, { hit: ChunkHit; score: number; best: number }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, index) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0, best: Number.POSITIVE_INFINITY };
      entry.score += 1 / (k + index + 1);
      entry.best = Math.min(entry.best, index);
      fused.set(hit.chunkId, entry);
    });
  }
  return [...fused.values()]
    .sort(
      (left, right) =>
        right.score - left.score ||
        left.best - right.best ||
        compareCodeUnits(left.hit.chunkId, right.hit.chunkId),
    )
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score: Number(score.toFixed(6)) }));
}
