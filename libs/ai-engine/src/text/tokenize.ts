import { stem } from './stem';
import {
  foldLetters,
  OPTIONAL_VOWEL_MARK_CLASS,
  UNSPACED_SCRIPT_LETTERS,
  withoutInWordIgnorables,
} from '@docuthinker/contracts';
import { isStopword } from './stopwords';

/**
 * A word starts with a letter or digit and keeps its combining marks: the
 * vowel signs of Devanagari and other Indic scripts are letters of the word
 * ("किताब" had no term at all without them, "प्रधानमंत्री" broke into
 * fragments). Latin accents are already composed by NFKC below.
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’]\p{L}[\p{L}\p{M}]*)*/gu;
/** Dropped: queries leave them out (see optional-vowel-marks.ts). */
const OPTIONAL_VOWEL_MARKS = new RegExp(OPTIONAL_VOWEL_MARK_CLASS, 'gu');
const NON_ASCII = /[^\p{ASCII}]/u;
/**
 * `'İ'.toLowerCase()` is "i" + U+0307 COMBINING DOT ABOVE, which is no letter
 * and would cut "İstanbul" into "i" and "stanbul"; Turkish "ı" is the same
 * letter for search. Both fold to plain "i", as upper-case "I" already does.
 */
const TURKISH_I = /i\u0307|ı/gu;

/**
 * Letters of the unspaced scripts (libs/contracts). Thai and its neighbours
 * joined Han, kana and Hangul after an exploratory test: a Thai text was one
 * term per phrase, so chat and ask found nothing in it; documents in them
 * indexed before need indexing again.
 */
const CJK_LETTER = UNSPACED_SCRIPT_LETTERS;
const CJK = new RegExp(`[${CJK_LETTER}]`, 'u');
const CJK_OR_OTHER_RUNS = new RegExp(`[${CJK_LETTER}]+|[^${CJK_LETTER}]+`, 'gu');

function canonicalWord(word: string): string {
  // Only a word with an apostrophe needs the (comparatively slow) rewrites.
  if (!word.includes("'") && !word.includes('’')) return word;
  return word.replace(/['’]s$/u, '').replace(/’/gu, "'");
}

/**
 * Text as terms are read from it: NFKC (compatibility forms such as
 * ligatures and full-width letters), lower case, "İ" and "ı" as "i",
 * optional vowel marks and in-word ignorables dropped. Chroma's lexical
 * prefilter folds stored characters with it too (compatibility-spellings.ts).
 */
export function foldForTerms(text: string): string {
  return withoutInWordIgnorables(
    text.normalize('NFKC').toLowerCase().replace(TURKISH_I, 'i').replace(OPTIONAL_VOWEL_MARKS, ''),
  );
}

/** Lower-cased word tokens in order; possessive "'s" is dropped; "İ" and "ı" read as "i". */
export function words(text: string): string[] {
  // ASCII has no compatibility forms, Turkish i or vowel marks: lower case is its fold.
  if (!NON_ASCII.test(text)) return (text.toLowerCase().match(WORD) ?? []).map(canonicalWord);
  return (foldForTerms(text).match(WORD) ?? []).map(canonicalWord);
}

/** True for a term made of CJK letters (a bigram of `contentTerms`). */
export function isCjkTerm(term: string): boolean {
  return CJK.test(term);
}

/**
 * Characters that are words on their own in their script: Han ideographs
 * ("猫", "本"), kana and Hangul syllables ("물"). A Thai or Khmer letter is
 * not, so those scripts keep bigrams only.
 */
const SINGLE_CHARACTER_WORD = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;

/**
 * Overlapping character bigrams of a CJK run: "東京都" gives "東京", "京都".
 * Bigrams rather than a dictionary segmenter (`Intl.Segmenter`): a bigram
 * does not depend on its context, so a query finds its characters wherever
 * they stand ("東京" inside "東京都庁", which a segmenter may keep whole), and
 * the terms do not change with the ICU version Node ships. A run of one
 * character that is a word on its own ("猫") is its own term.
 */
function cjkBigrams(run: string, into: string[]): void {
  const characters = Array.from(run);
  if (characters.length === 1) {
    if (SINGLE_CHARACTER_WORD.test(run)) into.push(run);
    return;
  }
  for (let index = 1; index < characters.length; index += 1) {
    into.push(`${characters[index - 1]}${characters[index]}`);
  }
}

/**
 * The characters of a longer CJK run that are words on their own, which the
 * indexes hold next to its bigrams (as Lucene's CJK bigram filter does with
 * `outputUnigrams`): a one-character query ("猫") then finds "我的猫很可爱",
 * whose terms are bigrams. Queries of two characters or more still look for
 * bigrams only, so "東京" does not find every "東" and "京".
 */
function cjkSingleCharacterWords(run: string, into: string[]): void {
  const characters = Array.from(run);
  if (characters.length === 1) return;
  for (const character of characters) {
    if (SINGLE_CHARACTER_WORD.test(character)) into.push(character);
  }
}

function pushWordTerm(word: string, into: string[]): void {
  if (word.length < 2 || isStopword(word) || /^\d+$/.test(word)) return;
  // Without accents, strokes and ligatures (libs/contracts): "krakow" finds
  // "Kraków" as the backend's content search does. Only the terms: words
  // shown (key phrases) keep their letters. Stopwords are English words as
  // written: folded first, Vietnamese "ăn" and "nó" were "an" and "no" (review).
  into.push(stem(foldLetters(word)));
}

/**
 * The terms that carry meaning: stems of the words that are not stopwords,
 * one character words and bare numbers excluded, and bigrams of CJK text.
 * Used for ranking everywhere: the embedded index, Chroma's BM25 and the
 * offline engine, so every search path tokenizes the same way. A text the
 * lexical indexes hold is read with `indexedTerms`.
 */
export function contentTerms(text: string): string[] {
  return termsOf(text, false);
}

/**
 * The terms a lexical index holds for a text: its `contentTerms`, and the
 * single-character words of its CJK runs, which one-character queries look
 * for. Query text is read with `contentTerms`.
 */
export function indexedTerms(text: string): string[] {
  return termsOf(text, true);
}

function termsOf(text: string, withSingleCharacterWords: boolean): string[] {
  const terms: string[] = [];
  const mayHoldCjk = NON_ASCII.test(text);
  for (const word of words(text)) {
    if (!mayHoldCjk || !CJK.test(word)) {
      pushWordTerm(word, terms);
      continue;
    }
    // "iphone用のケース": the Latin part is a word, the CJK part bigrams.
    for (const run of word.match(CJK_OR_OTHER_RUNS) ?? []) {
      if (!CJK.test(run)) pushWordTerm(run, terms);
      else {
        cjkBigrams(run, terms);
        if (withSingleCharacterWords) cjkSingleCharacterWords(run, terms);
      }
    }
  }
  return terms;
}

export function termFrequencies(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
