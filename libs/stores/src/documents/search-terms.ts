import { UNSPACED_SCRIPT_LETTERS } from '@docuthinker/contracts';
import { termsOf } from './search-words';

/**
 * Words a title or content search matches, every one of them: the backend
 * refuses a query of more (a word past it was dropped, and the search
 * matched without it: exploratory test). A phrase of an unspaced script,
 * one word here, is read in pairs of letters by the embedded index, and
 * matched on its first pairs up to this count.
 */
export const MAX_SEARCH_WORDS = 12;
const MAX_TERMS = MAX_SEARCH_WORDS;
const MAX_SEARCH_RESULTS = 50;
const DEFAULT_SEARCH_RESULTS = 10;

/**
 * The words of a search query, lower-cased. Everything that is not a letter or
 * a digit separates words, so query syntax of the underlying engine (FTS5
 * operators, regex metacharacters) never reaches it.
 */
export function searchTerms(query: string): string[] {
  return distinctSearchWords(query).slice(0, MAX_TERMS);
}

/** Every distinct word of a search query, as searchTerms reads them. */
export function distinctSearchWords(query: string): string[] {
  const words =
    query
      .normalize('NFKC')
      .toLowerCase()
      // A word keeps its marks: a Hindi word's vowel signs are letters of it
      // (split at them, five Hindi words counted fourteen: review).
      .match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu) ?? [];
  return [...new Set(words)];
}

/**
 * The terms of a search query as the embedded full-text index stores them
 * (search-words.ts): words with their marks, folded, and pairs of letters of
 * unspaced scripts.
 */
export function foldedSearchTerms(query: string): string[] {
  return [...new Set(termsOf(query))].slice(0, MAX_TERMS);
}

const UNSPACED_LETTER = new RegExp(`[${UNSPACED_SCRIPT_LETTERS}]`, 'u');

/**
 * Whether the term at `index` of the query `terms` matches the start of a
 * word, as terms do, or only a whole word: a word of one letter of a spaced
 * script before the query's last word. As a prefix, one letter reads a 26th
 * of the owner's words; found in an exploratory test, twelve of them took the
 * embedded index the better part of a second over eight long documents, and
 * four such searches at once kept every other request waiting for seconds.
 * Inside a query one letter is a word of its own ("J K Rowling"); the last
 * word is still a prefix, as a search is typed ("harry p": review), which
 * costs one letter's reading at most; in Chinese or Japanese one letter is
 * as selective as a word.
 */
export function matchesAsPrefix(index: number, terms: readonly string[]): boolean {
  const term = terms[index] ?? '';
  return index === terms.length - 1 || [...term].length > 1 || UNSPACED_LETTER.test(term);
}

export function clampSearchLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_SEARCH_RESULTS;
  return Math.min(MAX_SEARCH_RESULTS, Math.max(1, Math.floor(limit)));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
