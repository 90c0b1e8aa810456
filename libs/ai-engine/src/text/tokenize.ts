import { stem } from './stem';
import { isStopword } from './stopwords';

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const NON_ASCII = /[^\p{ASCII}]/u;

function canonicalWord(word: string): string {
  // Only a word with an apostrophe needs the (comparatively slow) rewrites.
  if (!word.includes("'") && !word.includes('’')) return word;
  return word.replace(/['’]s$/u, '').replace(/’/gu, "'");
}

/** Lower-cased word tokens in order; possessive "'s" is dropped. */
export function words(text: string): string[] {
  // NFKC folds compatibility forms (ligatures, full-width letters); ASCII has none.
  const normalised = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  const found = normalised.toLowerCase().match(WORD) ?? [];
  return found.map(canonicalWord);
}

/**
 * The terms that carry meaning: stems of the words that are not stopwords,
 * one character words and bare numbers excluded. Used for ranking everywhere.
 */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of words(text)) {
    if (word.length < 2 || isStopword(word) || /^\d+$/.test(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

export function termFrequencies(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
