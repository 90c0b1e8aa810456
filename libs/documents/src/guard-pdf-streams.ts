import { constants as zlib, inflateSync } from 'node:zlib';
import type { DocumentLimits } from './document-limits';
import { expansionBudget, expansionError, inflatedSize } from './expansion-budget';

type StreamLimits = Pick<DocumentLimits, 'maxUncompressedBytes' | 'maxCompressionRatio'>;

const STREAM_KEYWORD = 'stream';
const END_PREFIX = 'end';
// How far back from `stream` a stream's dictionary is looked for; real
// dictionaries are a few hundred bytes.
const DICTIONARY_WINDOW_BYTES = 4096;
const CARRIAGE_RETURN = 0x0d;
const LINE_FEED = 0x0a;

/**
 * Refuses PDF decompression bombs before pdf.js reads the file. A PDF of
 * 1 MB can hold a FlateDecode content stream that inflates to gigabytes;
 * pdf.js would inflate and tokenise all of it (minutes of CPU, hundreds of
 * MB that the allocator keeps after the worker is gone). Every compressed
 * stream pdf.js may decode for text is inflated here with node:zlib and only
 * counted, stopping as soon as the total passes the same expansion budget a
 * DOCX gets, so a bomb costs at most the budget in CPU and one chunk in memory.
 *
 * Streams are found by their `stream` keyword and inflated from there to the
 * end of their deflate data, not to `/Length` or `endstream`, because both
 * can lie (an indirect length, a fake `endstream` inside stored data) while
 * the deflate data itself cannot. Image streams are skipped: text extraction
 * never decodes them, and a scanned PDF legitimately inflates far past the
 * ratio. A stream behind two Flate filters is counted at its outer stage and
 * then, within the remaining budget, at its inner one.
 */
export async function guardPdfStreams(bytes: Uint8Array, limits: StreamLimits): Promise<void> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const budget = expansionBudget(bytes.byteLength, limits);
  let total = 0;
  let position = buffer.indexOf(STREAM_KEYWORD, 0, 'latin1');
  while (position !== -1) {
    const next = position + STREAM_KEYWORD.length;
    if (!isEndStreamKeyword(buffer, position)) {
      const flateStages = flateStagesOf(dictionaryBefore(buffer, position));
      if (flateStages > 0) {
        total += await inflatedStreamSize(
          buffer.subarray(dataStart(buffer, next)),
          flateStages,
          budget.bytes - total,
        );
        if (total > budget.bytes) throw expansionError(budget.limit, limits);
      }
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

/** The stream's dictionary: what follows the last `obj` before the keyword. */
function dictionaryBefore(buffer: Buffer, position: number): string {
  const window = buffer.toString(
    'latin1',
    Math.max(0, position - DICTIONARY_WINDOW_BYTES),
    position,
  );
  const objectStart = window.lastIndexOf('obj');
  return objectStart === -1 ? window : window.slice(objectStart + 3);
}

/** How many Flate stages decode the stream for text; 0 for images and other filters. */
function flateStagesOf(dictionary: string): number {
  if (/\/Subtype\s*\/Image\b/.test(dictionary)) return 0;
  return dictionary.match(/\/(?:FlateDecode|Fl)\b/g)?.length ?? 0;
}

/** Stream data starts after the keyword's end of line (CRLF or LF; a lone CR is tolerated). */
function dataStart(buffer: Buffer, afterKeyword: number): number {
  let start = afterKeyword;
  if (buffer[start] === CARRIAGE_RETURN) start += 1;
  if (buffer[start] === LINE_FEED) start += 1;
  return start;
}

async function inflatedStreamSize(data: Buffer, stages: number, limit: number): Promise<number> {
  // Damaged streams are counted up to the damage, as pdf.js reads them.
  const outer = await inflatedSize(data, limit, { raw: false, strict: false });
  if (stages === 1 || outer > limit) return outer;
  // Inner stages need the outer output itself; it is within the budget here.
  let inner: Buffer;
  try {
    inner = inflateSync(data, { maxOutputLength: limit, finishFlush: zlib.Z_SYNC_FLUSH });
  } catch {
    return outer;
  }
  return outer + (await inflatedStreamSize(inner, stages - 1, limit - outer));
}
