import { splitSentences, type Sentence } from '../text/sentences';
import { contentTerms } from '../text/tokenize';
import { textRankScores } from './text-rank';

export interface RankedSentence {
  readonly sentence: Sentence;
  readonly position: number;
  readonly score: number;
}

const MIN_WORDS = 5;

function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 20 && letters === letters.toUpperCase();
}

/**
 * Sentences worth quoting, best first: headings and fragments are left out,
 * and all-capitals boilerplate (warranty disclaimers) is ranked down because
 * it is rarely what a reader wants summarised.
 */
export function rankSentences(text: string, focusTerms: readonly string[] = []): RankedSentence[] {
  const sentences = splitSentences(text);
  const scores = textRankScores(sentences);
  const focus = new Set(focusTerms);
  const ranked: RankedSentence[] = [];
  sentences.forEach((sentence, position) => {
    if (sentence.isHeading || sentence.text.split(' ').length < MIN_WORDS) return;
    let score = scores[position] ?? 0;
    if (isShouting(sentence.text)) score *= 0.5;
    if (focus.size > 0) {
      const terms = contentTerms(sentence.text);
      const hits = terms.filter((term) => focus.has(term)).length;
      score *= 1 + (2 * hits) / Math.max(1, Math.sqrt(terms.length));
    }
    ranked.push({ sentence, position, score });
  });
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
