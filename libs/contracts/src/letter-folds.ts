/**
 * Latin and Greek letters read without their accents, and the Latin letters
 * whose stroke or ligature Unicode does not decompose read as keyboards
 * without them type them: "krakow" finds "Kraków", "lodz" finds "Łódź",
 * "aeroe" finds "Ærø", "αθηνα" finds "Αθήνα". The backend's embedded content
 * search and the gateway's terms read words alike with it, so a query finds
 * the same words in a search and in chat or ask (found in an exploratory
 * test: content search found "Łódź" for "lodz", and chat did not).
 * Other scripts keep their marks: an Indic vowel sign is a letter of its word.
 */
const LATIN_OR_GREEK_ACCENTS = /([\p{sc=Latin}\p{sc=Greek}])[\u0300-\u036f]+/gu;

/**
 * Lower-case letters read as others. `'İ'.toLowerCase()` is "i" + U+0307,
 * which the accents rule removes; "ı" is read as "i".
 */
const SPECIAL_LETTER_FOLDS: Readonly<Record<string, string>> = {
  ı: 'i',
  ß: 'ss',
  ς: 'σ',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ħ: 'h',
  ŧ: 't',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
};
const SPECIAL_LETTERS = new RegExp(`[${Object.keys(SPECIAL_LETTER_FOLDS).join('')}]`, 'gu');
/**
 * The blocks of Latin and Greek letters beyond ASCII and the combining marks:
 * a word without any has nothing to fold, and is spared two normalisations
 * (review: a Russian text's terms took twice as long with them).
 */
const MAY_FOLD = /[\u00c0-\u024f\u0370-\u03ff\u1e00-\u1fff]|[\u0300-\u036f]/u;

/** A lower-case word with LATIN_OR_GREEK_ACCENTS and SPECIAL_LETTER_FOLDS read as above. */
export function foldLetters(word: string): string {
  if (!MAY_FOLD.test(word)) return word;
  // The letter folds after the accents: "ǿ" is "ø" with an acute (review).
  return word
    .normalize('NFD')
    .replace(LATIN_OR_GREEK_ACCENTS, '$1')
    .replace(SPECIAL_LETTERS, (letter) => SPECIAL_LETTER_FOLDS[letter] ?? letter)
    .normalize('NFC');
}
