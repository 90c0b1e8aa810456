import { contentTerms } from '../text/tokenize';
import { extractKeyPhrases } from './key-phrases';
import { clip, rankSentences, type RankedSentence } from './sentence-selection';

const OBLIGATION =
  /\b(must|shall|required?|requires|should|need to|may not|must not|is responsible)\b/i;

function bestSentenceFor(
  phrase: string,
  ranked: readonly RankedSentence[],
): RankedSentence | undefined {
  const terms = contentTerms(phrase);
  return ranked.find((candidate) => terms.every((term) => candidate.terms.has(term)));
}

/**
 * Questions for a discussion, one per key phrase, each anchored in the
 * sentence where the text treats that phrase most centrally.
 */
export function discussionPoints(text: string, maxItems = 5): string[] {
  const ranked = rankSentences(text);
  const points: string[] = [];
  for (const { phrase } of extractKeyPhrases(text, maxItems * 2)) {
    if (points.length >= maxItems) break;
    const anchor = bestSentenceFor(phrase, ranked);
    if (!anchor) continue;
    points.push(
      `What does the text establish about "${phrase}", and what follows from it? It says: "${clip(anchor.sentence.text, 220)}"`,
    );
  }
  return points;
}

/**
 * Recommendations a reader can act on: the central obligations the text
 * states (must/shall/required), then the recurring themes worth a close read.
 */
export function recommendations(text: string, maxItems = 5): string[] {
  const ranked = rankSentences(text);
  const items: string[] = [];
  // Obligations take most of the list and leave the rest to themes, but never
  // more than the whole list: at maxItems 1, ceil(1 / 2) + 1 would be 2.
  const obligationSlots = Math.min(maxItems, Math.ceil(maxItems / 2) + 1);
  for (const { sentence } of ranked) {
    if (items.length >= obligationSlots) break;
    if (OBLIGATION.test(sentence.text))
      items.push(`Make sure this requirement is met: "${clip(sentence.text, 240)}"`);
  }
  for (const { phrase, occurrences } of extractKeyPhrases(text, maxItems)) {
    if (items.length >= maxItems) break;
    items.push(
      `Review every passage on "${phrase}" (${occurrences} mention${occurrences === 1 ? '' : 's'}); it is one of the text's main themes.`,
    );
  }
  return items;
}
