import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { DocumentError } from './document-error';
import { declaredHtmlEncoding } from './html-meta-charset';
import { readLegacyText } from './legacy-text';

const SAMPLE_UNITS = 64 * 1024;
// Text files use tab, line feed, form feed and carriage return; a few other
// controls slip into real text (ESC in logs), so tolerate a small share.
const MAX_CONTROL_SHARE = 0.01;
const SAVE_AS_UTF8 = 'Save the file as UTF-8 and upload it again.';
// Encodings a page may declare without changing how its bytes are read:
// WHATWG reads a <meta> naming UTF-16 as UTF-8, and bytes that are not UTF-8
// declared as UTF-8 are damaged or mislabelled either way.
const UNICODE_ENCODINGS = new Set(['utf-8', 'utf-16le', 'utf-16be']);

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Decodes an upload that no binary signature matched, with `\n` line ends
 * and no byte order mark: UTF-8; UTF-16 behind its byte order mark
 * (Notepad's and Excel's "Unicode text"), which names it unambiguously;
 * else Windows-1252 where a page declares it or the bytes read as Western
 * text (see `readLegacyText`). Windows-1252 is decoded rather than refused:
 * Windows, Word and Excel save Western European text in it and browsers
 * assume it for unlabelled text, and refusing it called a sound file
 * "damaged". Binary data, and text in an encoding it cannot tell, are an
 * unsupported type; invalid UTF-8 or UTF-16 is a damaged file.
 */
export function decodeText(bytes: Uint8Array): string {
  return normalizeNewlines(decodeAs(detectTextEncoding(bytes), bytes));
}

/**
 * The charset of these bytes as uploaded, for a Content-Type that serves
 * them back unchanged: the encoding `decodeText` reads them in, "utf-16"
 * for either byte order (its byte order mark tells which, RFC 2781), or
 * undefined for bytes it would refuse.
 */
export function textCharset(bytes: Uint8Array): string | undefined {
  try {
    const encoding = detectTextEncoding(bytes);
    return encoding === 'utf-16le' || encoding === 'utf-16be' ? 'utf-16' : encoding;
  } catch (error) {
    if (error instanceof DocumentError) return undefined;
    throw error;
  }
}

function decodeAs(encoding: TextEncoding, bytes: Uint8Array): string {
  switch (encoding) {
    case 'utf-16le':
    case 'utf-16be':
      return decodeUtf16(bytes, encoding);
    case 'windows-1252':
      // Node 20.18.3 and later decode TextDecoder's "windows-1252" as
      // ISO-8859-1, leaving 0x80-0x9F (€, curly quotes, dashes) as C1
      // controls (nodejs/node#60888); iconv-lite has the Windows-1252 table.
      return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
    case 'utf-8':
      // Without ignoreBOM the decoder drops a leading UTF-8 byte order mark.
      return new TextDecoder('utf-8').decode(bytes);
  }
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function detectTextEncoding(bytes: Uint8Array): TextEncoding {
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00]) || startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      `UTF-32 text is not supported. ${SAVE_AS_UTF8}`,
    );
  }
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  // A NUL byte anywhere is the classic binary marker (git and file(1) use
  // it); no text format we accept contains one outside UTF-16.
  if (bytes.includes(0) || hasManyControls(bytes.subarray(0, SAMPLE_UNITS)))
    throw binaryDataError();
  if (isUtf8(bytes)) return 'utf-8';
  return legacyEncoding(bytes);
}

/**
 * Decides between Windows-1252 and a refusal. A page's own declaration is
 * taken as browsers take it; without one, only what reads as Western text
 * is decoded, since every byte sequence decodes as Windows-1252 and a wrong
 * guess would store mojibake that indexing, search and answers then build on.
 */
function legacyEncoding(bytes: Uint8Array): TextEncoding {
  const declared = declaredHtmlEncoding(bytes);
  if (declared === 'windows-1252') return 'windows-1252';
  if (declared !== undefined && !UNICODE_ENCODINGS.has(declared)) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      `The page declares a text encoding other than UTF-8 or Windows-1252 (Latin-1), which is not supported. ${SAVE_AS_UTF8}`,
    );
  }
  switch (readLegacyText(bytes)) {
    case 'windows-1252':
      return 'windows-1252';
    case 'damaged-utf-8':
      throw new DocumentError(
        'DT_ERR_CORRUPT_FILE',
        'The file is UTF-8 text with invalid bytes in it: it is damaged, or parts of it were saved in another encoding. Save it as UTF-8 and upload it again.',
      );
    case 'unknown':
      throw new DocumentError(
        'DT_ERR_UNSUPPORTED_TYPE',
        `The file is not UTF-8 text, and its text encoding could not be recognised. ${SAVE_AS_UTF8}`,
      );
  }
}

function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  let text: string;
  try {
    // The decoder drops the byte order mark; `fatal` refuses a lone surrogate or an odd byte.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      `The file is marked as UTF-16 text but is not valid UTF-16. ${SAVE_AS_UTF8}`,
      { cause: error },
    );
  }
  if (text.includes('\u0000') || hasManyControls(codeUnits(text.slice(0, SAMPLE_UNITS)))) {
    throw binaryDataError();
  }
  return text;
}

function binaryDataError(): DocumentError {
  return new DocumentError(
    'DT_ERR_UNSUPPORTED_TYPE',
    'The file contains binary data and is not a supported document type. Supported types: PDF, DOCX, TXT, Markdown, HTML, CSV and JSON.',
  );
}

/** `units`: bytes, or the UTF-16 code units of text read from UTF-16. */
function hasManyControls(units: Uint8Array | Uint16Array): boolean {
  let controls = 0;
  for (const unit of units) {
    const isTextControl = unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d;
    if ((unit < 0x20 && !isTextControl) || unit === 0x7f) controls += 1;
  }
  return controls > units.length * MAX_CONTROL_SHARE;
}

function codeUnits(text: string): Uint16Array {
  const units = new Uint16Array(text.length);
  for (let index = 0; index < text.length; index += 1) units[index] = text.charCodeAt(index);
  return units;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
