import { constants as zlib, inflateSync } from 'node:zlib';
import type { DocumentLimits } from './document-limits';
import { expansionBudget, expansionError, inflatedSize } from './expansion-budget';
import { ascii85Decoded, asciiHexDecoded, PDF_WHITESPACE } from './pdf-ascii-streams';
import { namesUncountableFilter, PdfFilterNames, uncountableStreamError } from './pdf-filter-names';

type StreamLimits = Pick<DocumentLimits, 'maxUncompressedBytes' | 'maxCompressionRatio'>;

const STREAM_KEYWORD = 'stream';
const END_PREFIX = 'end';
// How far back from `stream` a stream's dictionary is looked for: real
// dictionaries are a few hundred bytes. Only the image exemption from the
// ratio and the abbreviated filter names depend on it (see below).
const DICTIONARY_WINDOW_BYTES = 4096;
const CARRIAGE_RETURN = 0x0d;
const LINE_FEED = 0x0a;
// Wrapping and nesting a stream may use: pdf.js applies any chain, and
// each stage here is one more decode, within the budget.
const MAX_STAGES = 4;

/**
 * Refuses PDF decompression bombs before pdf.js reads the file. A PDF of
 * 1 MB can hold a Flate content stream that inflates to gigabytes; pdf.js
 * keeps a decoded stream whole in memory (typed arrays, outside the
 * worker's heap limit). Every stream pdf.js may decode is inflated here with
 * node:zlib and only counted, stopping as soon as the total passes the
 * budget, so a bomb costs at most the budget in CPU and one chunk in memory.
 *
 * The data, not the dictionary, says a stream is compressed: data that
 * begins with a zlib header is counted, and so is the zlib data inside
 * ASCII85 or ASCIIHex text, however the dictionary names (or hides: an
 * indirect /Filter, a padded dictionary, #xx escapes) its filters. Found in
 * review: each of those made a 1 MB PDF cost 2.2 GB. Streams are inflated
 * from their data's start to the end of their deflate data, not to
 * `/Length` or `endstream`, which can lie. An image's pixels count against
 * the absolute cap only: a scan legitimately inflates far past the ratio,
 * and `/Subtype /Image` is only a claim (pdf.js reads a page's content
 * stream whatever it says). Filters that cannot be counted (LZW, RunLength,
 * Brotli) are refused. Left: deflate data zlib rejects and pdf.js reads on,
 * the image codecs (DCT, JPX, JBIG2, CCITT) used as page content, and
 * encrypted streams.
 */
export async function guardPdfStreams(bytes: Uint8Array, limits: StreamLimits): Promise<void> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = new PdfFilterNames();
  names.scan(buffer, true);
  names.assertCountable();
  const budget = expansionBudget(bytes.byteLength, limits);
  const counted = { all: 0, text: 0 };
  const remaining = (image: boolean) =>
    Math.min(
      limits.maxUncompressedBytes - counted.all,
      image ? Number.POSITIVE_INFINITY : budget.bytes - counted.text,
    );

  let position = buffer.indexOf(STREAM_KEYWORD, 0, 'latin1');
  while (position !== -1) {
    const next = position + STREAM_KEYWORD.length;
    if (!isEndStreamKeyword(buffer, position)) {
      const dictionary = dictionaryBefore(buffer, position);
      if (namesUncountableFilter(dictionary)) throw uncountableStreamError();
      const image = /\/Subtype\s*\/Image\b/.test(dictionary);
      const size = await decodedSize(
        buffer.subarray(dataStart(buffer, next)),
        remaining(image),
        names,
      );
      names.assertCountable();
      counted.all += size;
      if (!image) counted.text += size;
      if (counted.all > limits.maxUncompressedBytes) {
        throw expansionError('maxUncompressedBytes', limits);
      }
      if (counted.text > budget.bytes) throw expansionError(budget.limit, limits);
    }
    position = buffer.indexOf(STREAM_KEYWORD, next, 'latin1');
  }
}

function isEndStreamKeyword(buffer: Buffer, position: number): boolean {
  return (
    position >= END_PREFIX.length &&
    buffer.toString('latin1', position - END_PREFIX.length, position) === END_PREFIX
  );
}

/**
 * The text before the keyword, back to the end of the previous object (a
 * name like `/obj` inside this one no longer cuts it short), at most the
 * window.
 */
function dictionaryBefore(buffer: Buffer, position: number): string {
  const window = buffer.toString(
    'latin1',
    Math.max(0, position - DICTIONARY_WINDOW_BYTES),
    position,
  );
  const previousEnd = Math.max(window.lastIndexOf('endobj'), window.lastIndexOf('endstream'));
  return previousEnd === -1 ? window : window.slice(previousEnd);
}

/**
 * Stream data starts on the line after the keyword, as pdf.js reads it:
 * whatever else follows the keyword on its line is skipped.
 */
function dataStart(buffer: Buffer, afterKeyword: number): number {
  const lineFeed = buffer.indexOf(LINE_FEED, afterKeyword);
  const carriageReturn = buffer.indexOf(CARRIAGE_RETURN, afterKeyword);
  if (lineFeed === -1 && carriageReturn === -1) return buffer.length;
  if (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn)) return lineFeed + 1;
  return buffer[carriageReturn + 1] === LINE_FEED ? carriageReturn + 2 : carriageReturn + 1;
}

/**
 * What a stream's data decodes to, counted: its zlib stages, found by their
 * headers, inside any ASCII85 or ASCIIHex wrapping. Data that is neither is
 * read by pdf.js as it is and costs nothing more than its bytes. Inflated
 * output is scanned for filter names too (an object stream may hold a
 * stream's indirect /Filter).
 */
async function decodedSize(
  data: Uint8Array,
  limit: number,
  names: PdfFilterNames,
  stage = 1,
): Promise<number> {
  if (stage > MAX_STAGES || limit < 0) return 0;
  const start = firstNonWhitespace(data);
  if (isZlibHeader(data, start)) {
    const zlibData = data.subarray(start);
    let firstBytes: Buffer | undefined;
    // Damaged streams are counted up to the damage, as pdf.js reads them.
    const size = await inflatedSize(
      zlibData,
      limit,
      { raw: false, strict: false },
      (chunk, first) => {
        if (first) firstBytes = chunk.subarray(0, 2);
        names.scan(chunk, first);
      },
    );
    if (size > limit || !firstBytes || !isZlibHeader(firstBytes, 0)) return size;
    // The output is zlib data again: its stage needs the output itself,
    // which is within the budget here.
    let inner: Buffer;
    try {
      inner = inflateSync(zlibData, { maxOutputLength: limit, finishFlush: zlib.Z_SYNC_FLUSH });
    } catch {
      return size;
    }
    return size + (await decodedSize(inner, limit - size, names, stage + 1));
  }
  // Text-wrapped data is small (its decoded size is below its own): it is
  // decoded only when it holds zlib data, which its first bytes show.
  for (const decode of [ascii85Decoded, asciiHexDecoded]) {
    const head = decode(data, start, 2);
    if (head && isZlibHeader(head, 0)) {
      const unwrapped = decode(data, start, data.length) as Buffer;
      return decodedSize(unwrapped, limit, names, stage + 1);
    }
  }
  return 0;
}

function firstNonWhitespace(data: Uint8Array): number {
  let start = 0;
  while (start < data.length && PDF_WHITESPACE.has(data[start] as number)) start += 1;
  return start;
}

/** A zlib stream's first two bytes: deflate, a valid check, no preset dictionary (RFC 1950). */
function isZlibHeader(data: Uint8Array, at: number): boolean {
  if (at + 1 >= data.length) return false;
  const method = data[at] as number;
  const flags = data[at + 1] as number;
  return (
    (method & 0x0f) === 8 &&
    method >> 4 <= 7 &&
    (method * 256 + flags) % 31 === 0 &&
    (flags & 0x20) === 0
  );
}
