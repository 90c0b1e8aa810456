function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when offset `at` falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, at: number): boolean {
  return isHighSurrogate(text.charCodeAt(at - 1)) && isLowSurrogate(text.charCodeAt(at));
}

/**
 * `end`, moved off the middle of a surrogate pair (an emoji, a rare CJK
 * character): text cut there holds half a pair, which is not valid Unicode
 * and which Chroma refuses to store. It moves back, unless that would leave
 * nothing after `start`.
 */
export function codePointBoundary(text: string, start: number, end: number): number {
  if (!splitsSurrogatePair(text, end)) return end;
  return end - 1 > start ? end - 1 : end + 1;
}

// Made on first use: creating it costs some 15 ms of ICU data loading, which
// every process importing this library would otherwise pay at start-up.
let graphemeSegmenter: Intl.Segmenter | undefined;
const graphemes = () =>
  (graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));
/**
 * Text segmented from its start when it is this short; past it, from a
 * window before the cut (a flag read from inside its run could be paired
 * wrongly, which costs only a flag cut in two).
 */
const SEGMENTED_WHOLE_UP_TO = 8192;
/** The longest grapheme cluster kept whole; a longer one (stacked marks) is cut at a code point. */
const LONGEST_CLUSTER = 64;

/**
 * `text` cut to at most `maxLength` UTF-16 units (a contract's `.max`),
 * at the end of a grapheme cluster: never between the halves of a surrogate
 * pair, nor inside an emoji sequence, a flag or a letter with its marks
 * (found in an exploratory test: a summary cut at 400 ended in a family
 * emoji's first person and a zero-width joiner).
 */
export function clipText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const from = maxLength <= SEGMENTED_WHOLE_UP_TO ? 0 : maxLength - LONGEST_CLUSTER;
  let end = from;
  for (const { index } of graphemes().segment(text.slice(from, maxLength + LONGEST_CLUSTER))) {
    if (from + index > maxLength) break;
    end = from + index;
  }
  if (end <= Math.max(0, maxLength - LONGEST_CLUSTER)) {
    // One cluster longer than any a reader writes: cut it at a code point.
    end = splitsSurrogatePair(text, maxLength) ? maxLength - 1 : maxLength;
  }
  return text.slice(0, end);
}
