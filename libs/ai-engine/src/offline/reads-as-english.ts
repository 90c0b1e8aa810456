import { words } from '../text/tokenize';
import { isStopword } from '../text/stopwords';

/** Fewer Latin words than this cannot be told apart: the lexicon reads them as they are. */
const FEWEST_WORDS_TO_TELL = 8;
/** English prose is about 40 % function words; another language has next to none of them. */
const LEAST_FUNCTION_WORD_SHARE = 0.08;
/** Words of Latin letters, apostrophes allowed. */
const LATIN_WORD = /^[a-z]+(?:['’][a-z]+)*$/;
const HAS_DIGIT = /\p{N}/u;

/**
 * Whether `text` looks English enough for an English word list to judge it:
 * mostly words of Latin letters, with English function words among them, or
 * (a terse review, "Great product, fast shipping") words the list knows.
 * Found in an exploratory test: German and Japanese reviews were "neutral,
 * no sentiment-bearing words found", reported as a judgement.
 */
export function readsAsEnglish(text: string, isCueWord: (word: string) => boolean): boolean {
  // Numbers and codes with digits ("5g", "4500mah", "ip68") say nothing of
  // the language (review and a test: spec sheets were "Not judged").
  const tokens = words(text).filter((word) => !HAS_DIGIT.test(word));
  const latin = tokens.filter((word) => LATIN_WORD.test(word));
  if (latin.length < tokens.length / 2) return false;
  if (tokens.length < FEWEST_WORDS_TO_TELL) return true;
  const functionWords = latin.filter(isStopword).length;
  const cueWords = latin.filter(isCueWord).length;
  return (functionWords + cueWords) / tokens.length >= LEAST_FUNCTION_WORD_SHARE;
}
