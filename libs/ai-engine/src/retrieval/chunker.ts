import { contentHash } from '../text/hashing';
import { codePointBoundary } from '@docuthinker/contracts';
import { splitSentences, type Sentence } from '../text/sentences';

export interface ChunkerOptions {
  /** Upper bound of a chunk's length in characters. */
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
 * A sentence longer than a chunk is cut into word-aligned windows, or at a
 * code point where a window has no space.
 */
function fitSentence(text: string, sentence: Sentence, maxChars: number): Span[] {
  if (sentence.end - sentence.start <= maxChars) return [sentence];
  const spans: Span[] = [];
  let start = sentence.start;
  while (start < sentence.end) {
    let end = Math.min(sentence.end, start + maxChars);
    if (end < sentence.end) {
      // Only the window's second half is searched for a space: an unbounded
      // lastIndexOf walks back to the sentence's start in text without spaces,
      // once per window.
      const earliest = start + Math.floor(maxChars / 2) + 1;
      const lastSpace = text.slice(earliest, end + 1).lastIndexOf(' ');
      if (lastSpace !== -1) end = earliest + lastSpace;
      else end = codePointBoundary(text, start, end);
    }
    spans.push({ start, end, block: sentence.block, isHeading: false });
    start = end;
    while (start < sentence.end && /\s/.test(text[start] ?? '')) start += 1;
  }
  return spans;
}

/**
 * The last span of a chunk once its trailing headings are cut: a heading
 * belongs with the text it introduces, not at a chunk's end. A chunk of
 * nothing but headings keeps them all: any short line standing alone reads as
 * one, and a list or a form of such lines would otherwise be cut into a chunk
 * per line, parting a name from the phone number under it.
 */
function withoutTrailingHeadings(spans: readonly Span[], first: number, last: number): number {
  for (let end = last; end >= first; end -= 1) {
    if (!(spans[end] as Span).isHeading) return end;
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
    last = withoutTrailingHeadings(spans, first, last);

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
