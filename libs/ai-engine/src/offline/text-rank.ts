const DAMPING = 0.85;
const ITERATIONS = 40;
const CONVERGED = 1e-6;

/** What a ranking cost, for callers and tests that bound it. */
export interface RankingWork {
  /** Sentence pairs whose similarity was computed. */
  sentencePairsCompared: number;
}

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
 * edges weigh shared content terms. Takes each sentence's set of content
 * terms and returns one centrality score per sentence. The graph is dense,
 * so the work grows with the square of the sentences given: callers bound
 * how many they pass (see sentence-candidates.ts).
 */
export function textRankScores(
  termSets: readonly ReadonlySet<string>[],
  work?: RankingWork,
): number[] {
  const count = termSets.length;
  if (count === 0) return [];
  // Similarity is symmetric: each pair is compared once.
  const weights = new Float64Array(count * count);
  for (let i = 0; i < count; i += 1) {
    for (let j = i + 1; j < count; j += 1) {
      const weight = similarity(
        termSets[i] as ReadonlySet<string>,
        termSets[j] as ReadonlySet<string>,
      );
      weights[i * count + j] = weight;
      weights[j * count + i] = weight;
    }
  }
  if (work) work.sentencePairsCompared += (count * (count - 1)) / 2;
  const outgoing = new Float64Array(count);
  for (let from = 0; from < count; from += 1) {
    let total = 0;
    for (let to = 0; to < count; to += 1) total += weights[from * count + to] as number;
    outgoing[from] = total;
  }

  let scores = new Array<number>(count).fill(1 / count);
  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    const next = new Array<number>(count).fill((1 - DAMPING) / count);
    for (let from = 0; from < count; from += 1) {
      const total = outgoing[from] as number;
      const score = scores[from] ?? 0;
      if (total === 0) {
        // A sentence that shares nothing spreads its rank evenly.
        for (let to = 0; to < count; to += 1)
          next[to] = (next[to] ?? 0) + (DAMPING * score) / count;
        continue;
      }
      for (let to = 0; to < count; to += 1) {
        const weight = weights[from * count + to] as number;
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
