import { DocumentError } from './document-error';

/**
 * Compression a PDF may name that cannot be counted before pdf.js decodes
 * it: LZW (412 KB decoded to 1 GiB in review) and RunLength have no decoder
 * in node:zlib, and Brotli, new in PDF 2.0, may be read differently by
 * node's decoder and pdf.js's. LZW and RunLength text streams are a
 * pre-2000 rarity, Brotli ones rarer still. The long names are looked for
 * everywhere; the abbreviations, which three bytes of compressed data spell
 * now and then, only in a stream's dictionary (guardPdfStreams).
 */
const UNCOUNTABLE_FILTERS: ReadonlySet<string> = new Set([
  'LZWDecode',
  'RunLengthDecode',
  'BrotliDecode',
]);
export const UNCOUNTABLE_FILTER_ABBREVIATIONS: ReadonlySet<string> = new Set(['LZW', 'RL']);

/**
 * Widest predictor row pdf.js allocates (`/Columns`): a PNG predictor pads
 * every row to it, so 150,000,000 columns made one row of that many bytes.
 * Images are drawn a few thousand pixels wide, cross-reference streams a
 * few bytes.
 */
const MAX_PREDICTOR_COLUMNS = 1_000_000;

// A PDF name: a solidus and regular characters (ISO 32000 7.3.5), with
// #xx escapes, which pdf.js decodes: `/F#6cateDecode` is /FlateDecode.
const NAME = /\/([^\s/[\]<>(){}%]*)/g;
const COLUMNS = /\/Columns\s+(\d+)/g;

/** Text that may straddle two chunks of a scanned stream: longer than any name looked for. */
const CARRIED_CHARS = 64;

/**
 * Scans a PDF's bytes, and the inflated bytes of its streams (an object
 * stream may hold a stream's indirect /Filter), for what the stream guard
 * cannot count. Names are found wherever they are, strings and comments
 * included: a false alarm costs a rare file, a missed one the process.
 * Scanning records the problem; `assertCountable` throws it, outside the
 * inflater's events.
 */
export class PdfFilterNames {
  private carried = '';
  private found = false;

  /** Scans the next piece of one run of bytes; `reset` starts a new run. */
  scan(chunk: Uint8Array, reset = false): void {
    if (reset) this.carried = '';
    const text =
      this.carried +
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    this.carried = text.slice(-CARRIED_CHARS);
    for (const [, written] of text.matchAll(NAME)) {
      if (written && UNCOUNTABLE_FILTERS.has(decodedName(written))) this.found = true;
    }
    for (const [, columns] of text.matchAll(COLUMNS)) {
      if (Number(columns) > MAX_PREDICTOR_COLUMNS) this.found = true;
    }
  }

  assertCountable(): void {
    if (this.found) throw uncountableStreamError();
  }
}

/** Whether a stream's dictionary names a filter that cannot be counted, in full or abbreviated. */
export function namesUncountableFilter(dictionary: string): boolean {
  for (const [, written] of dictionary.matchAll(NAME)) {
    const name = written ? decodedName(written) : '';
    if (UNCOUNTABLE_FILTERS.has(name) || UNCOUNTABLE_FILTER_ABBREVIATIONS.has(name)) return true;
  }
  return false;
}

function decodedName(written: string): string {
  return written.includes('#')
    ? written.replace(/#([0-9A-Fa-f]{2})/g, (_escape, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      )
    : written;
}

/** A stream whose decoded size cannot be known before pdf.js decodes it. */
export function uncountableStreamError(): DocumentError {
  return new DocumentError(
    'DT_ERR_FILE_TOO_LARGE',
    'The PDF holds compressed data whose unpacked size cannot be checked before it is read ' +
      '(LZW, RunLength or Brotli compression, or an oversized predictor), and was rejected. ' +
      'Saving it again with a current PDF program should make it readable.',
    { limit: 'maxUncompressedBytes' },
  );
}
