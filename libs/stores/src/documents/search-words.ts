/**
 * The terms the embedded full-text index stores and searches for, shared by
 * the words it indexes, the queries it runs and the snippets cut from a hit.
 *
 * Found in an exploratory test of international text:
 * - a word keeps its combining marks: the vowel signs of Devanagari and
 *   other Indic scripts are part of the word ("राम" was "र" + "म" and found
 *   every document with a word starting with either);
 * - scripts written without spaces between words (Han, kana, Thai, …) and
 *   Hangul, whose particles attach to the word, are overlapping pairs of
 *   characters, so any word of a sentence is found ("首都" inside
 *   "東京は日本の首都です" was not, as the whole run was one word);
 * - Turkish "İ"/"ı" are "i", German "ß" is "ss", Greek final "ς" is "σ",
 *   and Latin and Greek letters lose their accents (the index's tokenizer
 *   folds Latin ones only: "αθηνα" and "ΑΘΗΝΑ" missed "Αθήνα").
 */

/** A letter or digit, then letters, marks and digits. */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
const UNSPACED_LETTER =
  '\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}\\p{scx=Hangul}\\p{scx=Thai}\\p{scx=Lao}\\p{scx=Khmer}\\p{scx=Myanmar}';
const UNSPACED = new RegExp(`[${UNSPACED_LETTER}]`, 'u');
/** Runs of unspaced letters (each with the marks after it), and runs of anything else. */
const UNSPACED_OR_OTHER_RUNS = new RegExp(
  `(?:[${UNSPACED_LETTER}]\\p{M}*)+|(?:(?![${UNSPACED_LETTER}])[^])+`,
  'gu',
);
/** One unspaced letter with the marks that belong to it (a Thai vowel sign, a tone mark). */
const UNSPACED_CLUSTER = new RegExp(`[${UNSPACED_LETTER}]\\p{M}*`, 'gu');
const ASCII = /^\p{ASCII}*$/u;
const LATIN_OR_GREEK_ACCENTS = /([\p{sc=Latin}\p{sc=Greek}])[\u0300-\u036f]+/gu;
/** `'İ'.toLowerCase()` is "i" + U+0307, which the accents rule removes; "ı" is read as "i". */
const SPECIAL_LETTERS = /[ıßς]/gu;
const SPECIAL_LETTER_FOLDS: Record<string, string> = { ı: 'i', ß: 'ss', ς: 'σ' };

/** A term, and where the word or pair of letters it stands for sits in the text given. */
export interface PlacedTerm {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/** A lower-cased word without Latin or Greek accents, Turkish i, ß or final sigma. */
function foldWord(word: string): string {
  if (ASCII.test(word)) return word;
  return word
    .replace(SPECIAL_LETTERS, (letter) => SPECIAL_LETTER_FOLDS[letter] ?? letter)
    .normalize('NFD')
    .replace(LATIN_OR_GREEK_ACCENTS, '$1')
    .normalize('NFC');
}

/** Where a term of a word sits in that word. */
type TermOfWord = readonly [term: string, start: number, end: number];

const MARK = /\p{M}/u;
/** Distinct words whose terms are remembered within one text (texts repeat their words). */
const WORDS_REMEMBERED = 50_000;

/** The letters of an unspaced run, each with the marks after it (a Thai vowel sign). */
function clustersOf(run: string): string[] {
  if (!MARK.test(run)) return Array.from(run);
  return run.match(UNSPACED_CLUSTER) ?? [];
}

/** The terms of one word that holds letters of an unspaced script. */
function termsOfMixedWord(word: string): TermOfWord[] {
  const terms: TermOfWord[] = [];
  for (const run of word.matchAll(UNSPACED_OR_OTHER_RUNS)) {
    const runAt = run.index;
    if (!UNSPACED.test(run[0])) {
      // Letters of another script joined to the run ("iPhone用"): a word of their own.
      const rest = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/u.exec(run[0]);
      if (rest)
        terms.push([foldWord(rest[0]), runAt + rest.index, runAt + rest.index + rest[0].length]);
      continue;
    }
    const clusters = clustersOf(run[0]);
    if (clusters.length === 1) {
      terms.push([run[0], runAt, runAt + run[0].length]);
      continue;
    }
    let at = runAt;
    for (let index = 1; index < clusters.length; index += 1) {
      const first = clusters[index - 1] as string;
      const second = clusters[index] as string;
      terms.push([first + second, at, at + first.length + second.length]);
      at += first.length;
    }
  }
  return terms;
}

/**
 * Calls `take` with each term of `text`, which must already be NFKC and
 * lower case, and its place in it: each word once folded, and each run of
 * unspaced letters as its overlapping pairs (a run of one letter as that
 * letter).
 */
export function forEachTerm(
  text: string,
  take: (term: string, start: number, end: number) => void,
): void {
  const remembered = new Map<string, readonly TermOfWord[]>();
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const at = match.index;
    if (ASCII.test(word)) {
      take(word, at, at + word.length);
      continue;
    }
    let terms = remembered.get(word);
    if (terms === undefined) {
      terms = UNSPACED.test(word) ? termsOfMixedWord(word) : [[foldWord(word), 0, word.length]];
      if (remembered.size < WORDS_REMEMBERED) remembered.set(word, terms);
    }
    for (const [term, start, end] of terms) take(term, at + start, at + end);
  }
}

/** As forEachTerm, collected. */
export function placedTerms(text: string): PlacedTerm[] {
  const terms: PlacedTerm[] = [];
  forEachTerm(text, (term, start, end) => terms.push({ term, start, end }));
  return terms;
}

/** The terms of any text: NFKC and lower case, then as `placedTerms`. */
export function termsOf(text: string): string[] {
  return placedTerms(text.normalize('NFKC').toLowerCase()).map(({ term }) => term);
}
