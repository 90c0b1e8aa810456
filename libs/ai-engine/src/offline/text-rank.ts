import type { Sentence } from '../text/sentences';
import { contentTerms } from '../text/tokenize';

const DAMPING = 0.85;
const ITERATIONS = 40;
const CONVERGED = 1e-6;

function similarity(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const term of left) if (right.has(term)) shared += 1;
  // TextRank's normalisation: overlap over the log of the sentence lengths,
  // so long sentences do not win by length alone.
  return shared / (Math.log(1 + left.size) + Math.log(1 + right.size));
}

/**
 * TextRank (Mihalcea & Tarau, 2004): PageRank over the sentence graph whose
 * edges weigh shared content terms. Returns one centrality score per sentence.
 */
export function textRankScores(sentences: readonly Sentence[]): number[] {
  const count = sentences.length;
  if (count === 0) return [];
  const termSets = sentences.map((sentence) => new Set(contentTerms(sentence.text)));
  const weights = termSets.map((left, i) =>
    termSets.map((right, j) => (i === j ? 0 : similarity(left, right))),
  );
  const outgoing = weights.map((row) => row.reduce((sum, weight) => sum + weight, 0));

  let scores = new Array<number>(count).fill(1 / count);
  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    const next = new Array<number>(count).fill((1 - DAMPING) / count);
    for (let from = 0; from < count; from += 1) {
      const total = outgoing[from] ?? 0;
      const row = weights[from] ?? [];
      const score = scores[from] ?? 0;
      if (total === 0) {
        // A sentence that shares nothing spreads its rank evenly.
        for (let to = 0; to < count; to += 1)
          next[to] = (next[to] ?? 0) + (DAMPING * score) / count;
        continue;
      }
      for (let to = 0; to < count; to += 1) {
        const weight = row[to] ?? 0;
        if (weight > 0) next[to] = (next[to] ?? 0) + (DAMPING * score * weight) / total;
      }
    }
    const change = next.reduce(
      (sum, value, index) => sum + Math.abs(value - (scores[index] ?? 0)),
      0,
    );
    scores = next;
    if (change < CONVERGED) break;
  }
  return scores;
}
