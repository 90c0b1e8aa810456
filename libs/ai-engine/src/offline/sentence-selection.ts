import { splitSentences, type Sentence } from '../text/sentences';
import { contentTerms } from '../text/tokenize';
import { MAX_RANKED_SENTENCES, selectCandidates } from './sentence-candidates';
import { textRankScores, type RankingWork } from './text-rank';

export interface RankedSentence {
  readonly sentence: Sentence;
  readonly position: number;
  readonly score: number;
  /** The sentence's content terms. */
  readonly terms: ReadonlySet<string>;
}

export interface RankingOptions {
  /** Sentences with these terms rank higher ("focus on …"). */
  readonly focusTerms?: readonly string[];
  /** Counts the work done, for callers that bound it. */
  readonly work?: RankingWork;
}

const MIN_WORDS = 5;

function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 20 && letters === letters.toUpperCase();
}

/**
 * Sentences worth quoting, best first: headings and fragments are left out,
 * and all-capitals boilerplate (warranty disclaimers) is ranked down because
 * it is rarely what a reader wants summarised. A text of up to
 * MAX_RANKED_SENTENCES sentences is ranked whole by TextRank; a longer one
 * over the candidates its central terms point to, so that the work stays
 * near-linear in the text. Sentences outside the candidates follow them, in
 * document order.
 */
export function rankSentences(text: string, options: RankingOptions = {}): RankedSentence[] {
  const sentences = splitSentences(text);
  const terms = sentences.map((sentence) => contentTerms(sentence.text));
  const termSets = terms.map((sentenceTerms) => new Set(sentenceTerms));
  const focus = new Set(options.focusTerms ?? []);
  const prior = (position: number): number => {
    const sentence = sentences[position] as Sentence;
    let factor = isShouting(sentence.text) ? 0.5 : 1;
    if (focus.size > 0) {
      const sentenceTerms = terms[position] as string[];
      const hits = sentenceTerms.filter((term) => focus.has(term)).length;
      factor *= 1 + (2 * hits) / Math.max(1, Math.sqrt(sentenceTerms.length));
    }
    return factor;
  };
  const eligible = sentences.flatMap((sentence, position) =>
    sentence.isHeading || sentence.text.split(' ').length < MIN_WORDS ? [] : [position],
  );

  const graph =
    sentences.length <= MAX_RANKED_SENTENCES
      ? sentences.map((_sentence, position) => position)
      : selectCandidates({
          termSets,
          texts: sentences.map((sentence) => sentence.text),
          eligible,
          prior,
        });
  const graphScores = textRankScores(
    graph.map((position) => termSets[position] as Set<string>),
    options.work,
  );
  const scores = new Map(graph.map((position, index) => [position, graphScores[index] ?? 0]));

  const ranked = eligible.map((position) => ({
    sentence: sentences[position] as Sentence,
    position,
    score: (scores.get(position) ?? 0) * prior(position),
    terms: termSets[position] as Set<string>,
  }));
  return ranked.sort((left, right) => right.score - left.score || left.position - right.position);
}

/** The best `count` sentences, back in document order. */
export function topSentencesInOrder(
  ranked: readonly RankedSentence[],
  count: number,
): RankedSentence[] {
  return ranked.slice(0, count).sort((left, right) => left.position - right.position);
}

/** How many sentences a summary of a text with `available` candidates should have. */
export function summaryLength(available: number): number {
  return Math.min(available, Math.max(2, Math.min(6, Math.round(available * 0.12))));
}

export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxChars * 0.6 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:]+$/, '')}…`;
}
