/**
 * Characters of writing systems that the services' text rules share, so the
 * backend, the gateway and the stores read text the same way.
 */

/**
 * The marks that only ever end a sentence, where they stand: the
 * ideographic full stop, exclamation and question marks, the Devanagari
 * danda and double danda, the Arabic question mark, the Urdu, Ethiopic and
 * Myanmar full stops. (Latin ones end a sentence only before a space.)
 */
export const STANDALONE_SENTENCE_ENDS = '。！？।॥؟۔።။';

/**
 * Letters of the scripts written without spaces between words (Han, kana,
 * Thai, Lao, Khmer, Myanmar), and Hangul, whose particles attach to the word
 * ("서울은"): a regex character-class body, for `u`-flag patterns. Script
 * extensions, so that marks shared by the scripts ("々", "ー") count too.
 */
export const UNSPACED_SCRIPT_LETTERS =
  '\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}\\p{scx=Hangul}\\p{scx=Thai}\\p{scx=Lao}\\p{scx=Khmer}\\p{scx=Myanmar}';
