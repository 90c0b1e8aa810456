import { contentTerms } from '../text/tokenize';
import { extractKeyPhrases } from './key-phrases';
import { clip, looksLikeCode, rankSentences, type RankedSentence } from './sentence-selection';

const OBLIGATION =
  /\b(must|shall|required?|requires|should|need to|may not|must not|is responsible)\b/i;
/**
 * "shall" that states no duty: a definition ("'Work' shall mean …") or a
 * disclaimer ("IN NO EVENT SHALL … BE LIABLE"). Found in review: both were
 * recommended as requirements to meet.
 */
const NOT_AN_OBLIGATION =
  /\b(?:shall|will) (?:mean|include|be deemed|not be (?:liable|construed))\b|\bin no event\b|\bmeans\b/i;

/**
 * The most central sentence that holds every term of the phrase and was not
 * quoted yet, skipping code and tables. Found in review: four of five points
 * quoted one sentence, and one a binary table's layout.
 */
function bestSentenceFor(
  phrase: string,
  ranked: readonly RankedSentence[],
  quoted: ReadonlySet<RankedSentence>,
): RankedSentence | undefined {
  const terms = contentTerms(phrase);
  return ranked.find(
    (candidate) =>
      !quoted.has(candidate) &&
      terms.every((term) => candidate.terms.has(term)) &&
      !looksLikeCode(candidate.sentence.text),
  );
}

/**
 * Questions for a discussion, one per key phrase, each anchored in the
 * sentence where the text treats that phrase most centrally, a sentence each.
 */
export function discussionPoints(text: string, maxItems = 5): string[] {
  const ranked = rankSentences(text);
  const points: string[] = [];
  const quoted = new Set<RankedSentence>();
  for (const { phrase } of extractKeyPhrases(text, maxItems * 2)) {
    if (points.length >= maxItems) break;
    const anchor = bestSentenceFor(phrase, ranked, quoted);
    if (!anchor) continue;
    quoted.add(anchor);
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
    if (OBLIGATION.test(sentence.text) && !NOT_AN_OBLIGATION.test(sentence.text))
      items.push(`Make sure this requirement is met: "${clip(sentence.text, 240)}"`);
  }
  const themes: string[][] = [];
  // More candidates than places: the ones that overlap a theme already listed are passed over.
  for (const { phrase, occurrences } of extractKeyPhrases(text, maxItems * 2)) {
    if (items.length >= maxItems) break;
    const phraseWords = phrase.toLowerCase().split(/\s+/);
    if (themes.some((theme) => overlaps(theme, phraseWords))) continue;
    themes.push(phraseWords);
    items.push(
      occurrences > 1
        ? `Review every passage on "${phrase}" (${occurrences} mentions); it is one of the text's main themes.`
        : `Review the passage on "${phrase}"; it is among the text's key phrases.`,
    );
  }
  return items;
}

/**
 * Two phrases that say the same thing in part: one holds the other's words
 * in a row, or both hold the same two words in a row. Found in an
 * exploratory test: "missed two deadlines" and "team missed two" were two
 * recommendations, each called a main theme on one mention.
 */
function overlaps(left: readonly string[], right: readonly string[]): boolean {
  const joined = (words: readonly string[]) => ` ${words.join(' ')} `;
  if (joined(left).includes(joined(right)) || joined(right).includes(joined(left))) return true;
  const bigrams = new Set(left.slice(1).map((word, index) => `${left[index]} ${word}`));
  return right.slice(1).some((word, index) => bigrams.has(`${right[index]} ${word}`));
}
