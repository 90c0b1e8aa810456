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

/**
 * `text` cut to at most `maxLength` UTF-16 units (a contract's `.max`),
 * never between the halves of a surrogate pair.
 */
export function clipText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const end = splitsSurrogatePair(text, maxLength) ? maxLength - 1 : maxLength;
  return text.slice(0, end);
}
