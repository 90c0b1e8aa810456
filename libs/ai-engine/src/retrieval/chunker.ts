import { contentHash } from '../text/hashing';
import { codePointBoundary } from '@docuthinker/contracts';
import { splitSentences, type Sentence } from '../text/sentences';

export interface ChunkerOptions {
  /**
   * Upper bound of a chunk's length in characters, whitespace runs counted as
   * one. A chunk of several sentences also keeps within it as raw text; a
   * lone sentence that fits it once collapsed is kept whole, whatever its
   * indentation (up to twice the bound, raw).
   */
  readonly maxChars?: number;
  /** How much trailing text (whole sentences) the next chunk repeats. */
  readonly overlapChars?: number;
}

export interface Chunk {
  /** `documentId#ordinal-hash`: stable while the chunk's text is unchanged. */
  readonly chunkId: string;
  readonly documentId: string;
  readonly ordinal: number;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly block: number;
  readonly isHeading: boolean;
}

/**
 * A chunk's id: its document, its position and a hash of its text. Two chunks
 * with the same id have the same text, so an index can keep a record it
 * already has instead of rewriting it.
 */
export function chunkIdFor(documentId: string, ordinal: number, text: string): string {
  return `${documentId}#${ordinal}-${contentHash(text)}`;
}

export const DEFAULT_CHUNK_MAX_CHARS = 700;
export const DEFAULT_CHUNK_OVERLAP_CHARS = 120;

/**
 * How far a lone sentence's raw text may run past `maxChars` for its
 * whitespace (hard-wrapped, indented licence text), as a multiple of it: a
 * bound on a chunk as stored even when a text pads its words with runs of
 * spaces.
 */
const MAX_RAW_FACTOR = 2;

const WHITESPACE = /\s/;

/** `/\s/` on one character, without a regex call for Latin-1 (this runs per character). */
function isWhitespaceAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 256) return code === 32 || (code >= 9 && code <= 13) || code === 160;
  return WHITESPACE.test(text[index] ?? '');
}

/**
 * The end of the longest slice from `start` (not before `until`) whose text,
 * whitespace runs collapsed to one space and none at its end, is at most
 * `maxChars` long and whose raw length is at most `maxRaw`. One pass over
 * the slice.
 */
function collapsedLimit(
  text: string,
  start: number,
  until: number,
  maxChars: number,
  maxRaw: number,
): number {
  let length = 0;
  let spaced = false;
  for (let index = start; index < until; index += 1) {
    if (index - start >= maxRaw) return index;
    if (isWhitespaceAt(text, index)) {
      spaced = length > 0;
      continue;
    }
    length += spaced ? 2 : 1;
    spaced = false;
    if (length > maxChars) return index;
  }
  return until;
}

/**
 * A sentence is a span as long as its text, whitespace runs collapsed, fits
 * in a chunk: an indented, hard-wrapped sentence is not cut for its margins
 * (Apache-2.0's liability clause is 677 characters of text and 737 with its
 * indentation). A longer one, or one padded past MAX_RAW_FACTOR × maxChars
 * of raw text, is cut into word-aligned windows of at most `maxChars`
 * collapsed, or at a code point where a window has no space.
 */
function fitSentence(text: string, sentence: Sentence, maxChars: number): Span[] {
  // Most sentences fit as they are: collapsing only shortens, nothing to scan.
  if (sentence.end - sentence.start <= maxChars) return [sentence];
  const maxRaw = maxChars * MAX_RAW_FACTOR;
  const whole = collapsedLimit(text, sentence.start, sentence.end, maxChars, maxRaw);
  if (whole >= sentence.end) return [sentence];
  const spans: Span[] = [];
  let start = sentence.start;
  while (start < sentence.end) {
    const limit = collapsedLimit(text, start, sentence.end, maxChars, maxRaw);
    let end = limit;
    if (end < sentence.end) {
      // Only the window's second half is searched for a space: a search back
      // to the window's start in text without spaces would make the cut
      // quadratic.
      const earliest = start + Math.floor((limit - start) / 2) + 1;
      let space = limit;
      while (space >= earliest && !isWhitespaceAt(text, space)) space -= 1;
      if (space >= earliest) {
        end = space;
        // The window ends at its last word, not in the margin after it.
        while (end > start && isWhitespaceAt(text, end - 1)) end -= 1;
      } else {
        end = codePointBoundary(text, start, limit);
      }
    }
    spans.push({ start, end, block: sentence.block, isHeading: false });
    start = end;
    while (start < sentence.end && isWhitespaceAt(text, start)) start += 1;
  }
  return spans;
}

const LETTER = /\p{L}/u;

/**
 * A sentence that ends in a colon: it introduces what follows ("… the
 * following conditions:"). Punctuation alone ("?! ;:") introduces nothing.
 */
function isLeadIn(text: string, span: Span): boolean {
  let end = span.end;
  while (end > span.start && isWhitespaceAt(text, end - 1)) end -= 1;
  return text.charCodeAt(end - 1) === 0x3a && LETTER.test(text.slice(span.start, end));
}

/**
 * The last span of a chunk once its trailing headings and lead-ins are cut:
 * a heading or a sentence ending in a colon belongs with the text it
 * introduces, not at a chunk's end (found in review: Apache's "4.
 * Redistribution. … the following conditions:" ended one chunk and its
 * conditions (a)–(d) began the next, which no search for them found). A
 * chunk of nothing but such spans keeps them all: any short line standing
 * alone reads as a heading, and a list or a form of such lines would
 * otherwise be cut into a chunk per line, parting a name from the phone
 * number under it.
 */
function withoutTrailingHeadings(
  text: string,
  spans: readonly Span[],
  first: number,
  last: number,
): number {
  // At the text's end a lead-in introduces nothing: the chunk keeps it.
  const leadInsCut = last + 1 < spans.length;
  for (let end = last; end >= first; end -= 1) {
    const span = spans[end] as Span;
    if (!span.isHeading && !(leadInsCut && isLeadIn(text, span))) return end;
  }
  return last;
}

/**
 * The one span of a text that is not blank yet has no sentences: lines of
 * decoration ("...", "---", ". . .") or bare list markers, which the sentence
 * splitter drops. The index contract accepts any text that is not blank, and
 * a document indexed to no chunks would lose its chunks from search while
 * its graph node stays; so such a text is kept as it is, trimmed, in one
 * chunk cut to `maxChars`.
 */
function wholeTextSpans(text: string, maxChars: number): Span[] {
  const start = text.search(/\S/);
  if (start === -1) return [];
  let end = start + text.slice(start).trimEnd().length;
  if (end - start > maxChars) {
    end = codePointBoundary(text, start, start + maxChars);
    while (/\s/.test(text[end - 1] ?? '')) end -= 1;
  }
  return [{ start, end, block: 0, isHeading: false }];
}

/**
 * Splits a document into chunks of whole sentences, at most `maxChars` long,
 * preferring paragraph boundaries once a chunk is reasonably full, each chunk
 * repeating up to `overlapChars` of the previous one's closing sentences so an
 * answer that straddles a boundary is still found whole. A text that is not
 * blank always gives at least one chunk (see wholeTextSpans).
 */
export function chunkDocument(
  documentId: string,
  text: string,
  options: ChunkerOptions = {},
): Chunk[] {
  const maxChars = options.maxChars ?? DEFAULT_CHUNK_MAX_CHARS;
  const overlapChars = Math.min(
    options.overlapChars ?? DEFAULT_CHUNK_OVERLAP_CHARS,
    Math.floor(maxChars / 2),
  );
  const sentences = splitSentences(text).flatMap((sentence) =>
    fitSentence(text, sentence, maxChars),
  );
  const spans = sentences.length > 0 ? sentences : wholeTextSpans(text, maxChars);
  const chunks: Chunk[] = [];
  let first = 0;
  while (first < spans.length) {
    const firstSpan = spans[first] as Span;
    let last = first;
    while (last + 1 < spans.length) {
      const next = spans[last + 1] as Span;
      if (next.end - firstSpan.start > maxChars) break;
      const current = spans[last] as Span;
      const fullEnough = current.end - firstSpan.start >= maxChars * 0.6;
      if (fullEnough && next.block !== current.block) break;
      last += 1;
    }
    last = withoutTrailingHeadings(text, spans, first, last);

    const lastSpan = spans[last] as Span;
    const chunkText = text.slice(firstSpan.start, lastSpan.end);
    const ordinal = chunks.length;
    chunks.push({
      chunkId: chunkIdFor(documentId, ordinal, chunkText),
      documentId,
      ordinal,
      text: chunkText,
      start: firstSpan.start,
      end: lastSpan.end,
    });
    if (last + 1 >= spans.length) break;

    let nextFirst = last + 1;
    while (
      nextFirst - 1 > first &&
      lastSpan.end - (spans[nextFirst - 1] as Span).start <= overlapChars
    ) {
      nextFirst -= 1;
    }
    first = nextFirst;
  }
  return chunks;
}
