import {
  foldLetters,
  IN_WORD_IGNORABLE_ALTERNATION,
  OPTIONAL_VOWEL_MARK_CLASS,
  UNSPACED_SCRIPT_LETTERS,
  withoutInWordIgnorables,
} from '@docuthinker/contracts';

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
 *   folds Latin ones only: "αθηνα" and "ΑΘΗΝΑ" missed "Αθήνα"); so do the
 *   Latin letters whose stroke or ligature Unicode does not decompose, as
 *   keyboards without them write them: "ł" is "l" ("lodz" finds "Łódź"),
 *   "đ"/"ð" "d", "ø" "o", "ħ" "h", "ŧ" "t", "æ" "ae", "œ" "oe", "þ" "th";
 * - Arabic harakat and Hebrew points are left out, as the gateway's
 *   tokenizer leaves them out (optional-vowel-marks.ts in libs/contracts).
 * The index's tokenizer keeps marks inside its tokens (libsql-schema.ts).
 */

/**
 * A letter or digit, then letters, marks and digits, with in-word
 * ignorables (soft hyphens, joiners: libs/contracts) between them, which the
 * word's term leaves out: "con\u00ADfi\u00ADden\u00ADtial" in a DOCX was
 * four words, and "confidential" did not find it (review).
 */
const WORD_PATTERN = `[\\p{L}\\p{N}](?:[\\p{L}\\p{M}\\p{N}]|(?:${IN_WORD_IGNORABLE_ALTERNATION})+(?=[\\p{L}\\p{M}\\p{N}]))*`;
const WORD = new RegExp(WORD_PATTERN, 'gu');
/** The same for a text without ignorables: some 10 % faster on a long one. */
const PLAIN_WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
const HAS_IN_WORD_IGNORABLE = new RegExp(IN_WORD_IGNORABLE_ALTERNATION, 'u');
const FIRST_WORD = new RegExp(WORD_PATTERN, 'u');
const UNSPACED_LETTER = UNSPACED_SCRIPT_LETTERS;
const UNSPACED = new RegExp(`[${UNSPACED_LETTER}]`, 'u');
/** Runs of unspaced letters (each with the marks after it), and runs of anything else. */
const UNSPACED_OR_OTHER_RUNS = new RegExp(
  `(?:[${UNSPACED_LETTER}]\\p{M}*)+|(?:(?![${UNSPACED_LETTER}])[^])+`,
  'gu',
);
/** One unspaced letter with the marks that belong to it (a Thai vowel sign, a tone mark). */
const UNSPACED_CLUSTER = new RegExp(`[${UNSPACED_LETTER}]\\p{M}*`, 'gu');
const ASCII = /^\p{ASCII}*$/u;
const OPTIONAL_VOWEL_MARKS = new RegExp(OPTIONAL_VOWEL_MARK_CLASS, 'gu');
/**
 * The nukta of Devanagari and its sister scripts (ज़ is ज with it), which
 * typing often leaves out: "बाजार" finds "बाज़ार" (exploratory test).
 */
const NUKTAS = /[\u093c\u09bc\u0a3c\u0abc\u0b3c\u0c3c\u0cbc]/gu;
/**
 * Words whose terms are remembered within one text are this short: a
 * sentence of Chinese is one "word", and remembering each one's pairs held
 * some 220 MB for a text of 2,000,000 characters (review).
 */
const LONGEST_REMEMBERED_WORD = 32;
/** Distinct words remembered within one text. */
const WORDS_REMEMBERED = 50_000;

/** A term, and where the word or pair of letters it stands for sits in the text given. */
export interface PlacedTerm {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A lower-cased word without in-word ignorables, Latin or Greek accents,
 * Turkish i, ß, final sigma, Latin strokes and ligatures, Arabic and Hebrew
 * vowel marks, or nuktas.
 */
function foldWord(word: string): string {
  if (ASCII.test(word)) return word;
  // Accents, strokes and ligatures as the gateway's terms read them (libs/contracts).
  return foldLetters(
    withoutInWordIgnorables(word).replace(OPTIONAL_VOWEL_MARKS, '').replace(NUKTAS, ''),
  );
}

/** Called with each term and where it sits. */
type TakeTerm = (term: string, start: number, end: number) => void;

const MARK = /\p{M}/u;

/** The first `limit` letters of an unspaced run, each with the marks after it (a Thai vowel sign). */
function clustersOf(run: string, limit: number): string[] {
  const clusters: string[] = [];
  if (!MARK.test(run)) {
    for (const letter of run) {
      if (clusters.length === limit) break;
      clusters.push(letter);
    }
    return clusters;
  }
  for (const cluster of run.matchAll(UNSPACED_CLUSTER)) {
    if (clusters.length === limit) break;
    clusters.push(cluster[0]);
  }
  return clusters;
}

/**
 * Letters of unspaced scripts one text is read in pairs for; past them a
 * run is one term, found from its start. Pairs cost a term a letter: the
 * 2,000,000 letters of a Chinese text without punctuation took 3.5 s on
 * the event loop and its snippet as long again (exploratory test), where
 * 200,000 (a book of some 400 pages) take a tenth of that.
 */
export const MAX_PAIRED_LETTERS = 200_000;

/** A short word's terms, and how many of its letters they read in pairs. */
interface RememberedWord {
  readonly terms: ReadonlyArray<readonly [string, number, number]>;
  readonly pairedLetters: number;
}

/** How many more letters of one text are read in pairs. */
interface PairBudget {
  letters: number;
}

/**
 * The terms of one word that holds letters of an unspaced script, `at` its
 * place: each run of those letters as its overlapping pairs, and its last
 * letter alone, so that a one-letter query finds it at a run's end too
 * ("本" in "日本": review), within the text's budget of paired letters;
 * other letters joined to a run ("iPhone用") as a word of their own.
 */
function takeMixedWord(word: string, at: number, take: TakeTerm, budget: PairBudget): void {
  for (const run of word.matchAll(UNSPACED_OR_OTHER_RUNS)) {
    const runAt = at + run.index;
    if (!UNSPACED.test(run[0])) {
      const rest = FIRST_WORD.exec(run[0]);
      if (rest) take(foldWord(rest[0]), runAt + rest.index, runAt + rest.index + rest[0].length);
      continue;
    }
    if (budget.letters <= 0) {
      take(run[0], runAt, runAt + run[0].length);
      continue;
    }
    const clusters = clustersOf(run[0], budget.letters);
    const paired = clusters.length;
    budget.letters -= paired;
    let start = runAt;
    for (let index = 1; index < paired; index += 1) {
      const first = clusters[index - 1] as string;
      const second = clusters[index] as string;
      take(first + second, start, start + first.length + second.length);
      start += first.length;
    }
    const last = clusters[paired - 1];
    if (last !== undefined) take(last, start, start + last.length);
    const restAt = start + (last?.length ?? 0);
    // The rest of the run, past the budget: one term.
    if (restAt < runAt + run[0].length)
      take(run[0].slice(restAt - runAt), restAt, runAt + run[0].length);
  }
}

/**
 * Calls `take` with each term of `text`, which must already be NFKC and
 * lower case, and its place in it: each word once folded, and each run of
 * unspaced letters as its overlapping pairs and its last letter (for the
 * first MAX_PAIRED_LETTERS of them).
 */
export function forEachTerm(text: string, take: TakeTerm): void {
  const budget: PairBudget = { letters: MAX_PAIRED_LETTERS };
  // Texts repeat their words: a short one's terms are worked out once.
  const remembered = new Map<string, RememberedWord>();
  for (const match of text.matchAll(HAS_IN_WORD_IGNORABLE.test(text) ? WORD : PLAIN_WORD)) {
    const word = match[0];
    const at = match.index;
    if (ASCII.test(word)) {
      take(word, at, at + word.length);
      continue;
    }
    if (word.length > LONGEST_REMEMBERED_WORD) {
      if (UNSPACED.test(word)) takeMixedWord(word, at, take, budget);
      else take(foldWord(word), at, at + word.length);
      continue;
    }
    let entry = remembered.get(word);
    if (entry === undefined) {
      const terms: Array<readonly [string, number, number]> = [];
      let pairedLetters = 0;
      if (UNSPACED.test(word)) {
        const all = { letters: LONGEST_REMEMBERED_WORD };
        takeMixedWord(word, 0, (term, start, end) => terms.push([term, start, end]), all);
        pairedLetters = LONGEST_REMEMBERED_WORD - all.letters;
      } else {
        terms.push([foldWord(word), 0, word.length]);
      }
      entry = { terms, pairedLetters };
      if (remembered.size < WORDS_REMEMBERED) remembered.set(word, entry);
    }
    if (entry.pairedLetters > 0) {
      // Its pairs count against the text's budget; past it, runs are whole.
      if (budget.letters <= 0) {
        takeMixedWord(word, at, take, budget);
        continue;
      }
      budget.letters -= entry.pairedLetters;
    }
    for (const [term, start, end] of entry.terms) take(term, at + start, at + end);
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
