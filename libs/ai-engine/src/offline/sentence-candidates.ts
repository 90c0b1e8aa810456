/**
 * Most sentences TextRank ranks at once. TextRank compares every pair, so its
 * work grows with the square of this; 300 sentences (about 45,000 pairs) is a
 * document of ~50 KB, ranked whole. A longer text is ranked over the 300
 * candidates picked below: a 1.9 M-character text has ~11,000 sentences,
 * whose 60 M pairs held the gateway's only thread for over a minute.
 */
export const MAX_RANKED_SENTENCES = 300;

export interface CandidateInput {
  /** Each sentence's content terms, as a set. */
  readonly termSets: readonly ReadonlySet<string>[];
  /** Each sentence's text: a sentence repeated word for word is one candidate. */
  readonly texts: readonly string[];
  /** Positions of the sentences that may be quoted. */
  readonly eligible: readonly number[];
  /** A multiplier per position (boilerplate down, focus terms up). */
  readonly prior: (position: number) => number;
}

/**
 * The positions TextRank should rank when a text has more sentences than it
 * can compare pairwise, best first. A sentence's weighted degree in
 * TextRank's graph (the sum of its similarities to every other sentence) is
 * estimated in one pass from the number of sentences that share each of its
 * terms, with every other sentence's length taken as the average; the
 * central sentences TextRank would pick are the ones with a high degree, so
 * the most central ones are kept. Linear in the text, plus a sort.
 */
export function selectCandidates(input: CandidateInput, limit = MAX_RANKED_SENTENCES): number[] {
  const { termSets, texts, eligible, prior } = input;
  const sentencesWith = new Map<string, number>();
  let lengthSum = 0;
  for (const terms of termSets) {
    for (const term of terms) sentencesWith.set(term, (sentencesWith.get(term) ?? 0) + 1);
    lengthSum += Math.log(1 + terms.size);
  }
  const averageLength = lengthSum / Math.max(1, termSets.length);

  const scored = eligible.map((position) => {
    const terms = termSets[position] as ReadonlySet<string>;
    let shared = 0;
    for (const term of terms) shared += (sentencesWith.get(term) ?? 1) - 1;
    const degree = terms.size === 0 ? 0 : shared / (Math.log(1 + terms.size) + averageLength);
    return { position, score: degree * prior(position) };
  });
  scored.sort((left, right) => right.score - left.score || left.position - right.position);

  const seen = new Set<string>();
  const candidates: number[] = [];
  for (const { position } of scored) {
    if (candidates.length >= limit) break;
    const text = texts[position] as string;
    if (seen.has(text)) continue;
    seen.add(text);
    candidates.push(position);
  }
  return candidates;
}
