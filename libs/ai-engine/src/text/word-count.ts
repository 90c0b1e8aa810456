// The locale-independent root: word boundaries come from Unicode's rules
// (UAX #29) and ICU's dictionaries, so Chinese, Japanese and Thai, which
// put no spaces between words, are counted too.
const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

/**
 * The number of words in `text`, counting stops at `atMost` so that a caller
 * asking "at least five words?" of a long sentence reads only its start.
 * Punctuation and spaces are not words.
 */
export function countWords(text: string, atMost = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) continue;
    count += 1;
    if (count >= atMost) break;
  }
  return count;
}
