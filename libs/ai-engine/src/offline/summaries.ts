import { contentTerms } from '../text/tokenize';
import {
  clip,
  joinSentences,
  rankSentences,
  summaryLength,
  topSentencesInOrder,
} from './sentence-selection';

const MAX_ITEM_CHARS = 320;

export function extractiveSummary(text: string, maxSentences?: number): string {
  const ranked = rankSentences(text);
  const count = maxSentences ?? summaryLength(ranked.length);
  return joinSentences(topSentencesInOrder(ranked, count).map(({ sentence }) => sentence.text));
}

/** The central sentences, most central first. */
export function keyIdeas(text: string, maxItems = 5): string[] {
  return rankSentences(text)
    .slice(0, maxItems)
    .map(({ sentence }) => clip(sentence.text, MAX_ITEM_CHARS));
}

/** The summary's sentences as bullets, in the order the text makes them. */
export function bulletSummary(text: string, maxItems?: number): string[] {
  const ranked = rankSentences(text);
  return topSentencesInOrder(ranked, maxItems ?? Math.max(3, summaryLength(ranked.length))).map(
    ({ sentence }) => clip(sentence.text, MAX_ITEM_CHARS),
  );
}

const SHORTER = /\b(short|shorter|brief|briefer|concise|condense|tighter|less)\b/i;
const LONGER = /\b(long|longer|detail|detailed|more|expand|elaborate|fuller)\b/i;
const FOCUS = /\b(?:focus(?:ing)?\s+on|about|emphasi[sz]e|regarding|highlight)\s+([^.;,]+)/i;

export interface RefinedSummary {
  readonly text: string;
  readonly applied: readonly string[];
}

/**
 * Re-extracts a summary following the instructions the offline engine can
 * honour mechanically: shorter, longer, and "focus on …" (ranks sentences by
 * those terms). The list of applied instructions is reported back.
 */
export function refineSummary(text: string, summary: string, instructions: string): RefinedSummary {
  const ranked0 = rankSentences(text);
  const currentCount = Math.max(1, rankSentences(summary).length || summaryLength(ranked0.length));
  const applied: string[] = [];
  let count = currentCount;
  if (SHORTER.test(instructions)) {
    count = Math.max(1, Math.ceil(currentCount / 2));
    applied.push('shorter');
  } else if (LONGER.test(instructions)) {
    count = currentCount + Math.max(2, Math.ceil(currentCount / 2));
    applied.push('longer');
  }
  const focus = FOCUS.exec(instructions)?.[1]?.trim();
  const focusTerms = focus ? contentTerms(focus) : [];
  if (focusTerms.length > 0) applied.push(`focus on ${focus}`);
  const ranked = focusTerms.length > 0 ? rankSentences(text, { focusTerms }) : ranked0;
  const refined = joinSentences(
    topSentencesInOrder(ranked, Math.min(count, ranked.length)).map(
      ({ sentence }) => sentence.text,
    ),
  );
  return { text: refined || summary, applied };
}
