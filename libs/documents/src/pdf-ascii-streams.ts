/**
 * The two text encodings a PDF may wrap compressed data in (ASCII85, as
 * ReportLab writes every stream, and ASCIIHex), decoded so the stream
 * guard can count what is inside. Read as pdf.js reads them: whitespace
 * ignored, `~>` and `>` end the data, a short last group is padded.
 */

/** PDF's white-space characters (ISO 32000 7.2.3). */
export const PDF_WHITESPACE: ReadonlySet<number> = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const FIRST_BASE85_DIGIT = 0x21; // '!'
const LAST_BASE85_DIGIT = 0x75; // 'u'
const ZERO_GROUP = 0x7a; // 'z': four zero bytes
const END_OF_ASCII85 = 0x7e; // '~'
const END_OF_HEX = 0x3e; // '>'

/**
 * ASCII85 from `start`, up to `maxBytes` decoded bytes, or undefined when
 * the data is not ASCII85 (a character outside its alphabet comes first).
 */
export function ascii85Decoded(
  data: Uint8Array,
  start: number,
  maxBytes: number,
): Buffer | undefined {
  const out = Buffer.alloc(Math.min(maxBytes, Math.ceil(((data.length - start) * 4) / 5) + 4));
  let written = 0;
  const group: number[] = [];
  const flush = (digits: number[]) => {
    const padded = [
      ...digits,
      ...Array(5 - digits.length).fill(LAST_BASE85_DIGIT - FIRST_BASE85_DIGIT),
    ];
    const value = padded.reduce((total, digit) => total * 85 + digit, 0);
    const bytes = [
      (value >>> 24) & 0xff,
      (value >>> 16) & 0xff,
      (value >>> 8) & 0xff,
      value & 0xff,
    ];
    for (const byte of bytes.slice(0, digits.length - 1)) {
      if (written < out.length) out[written++] = byte;
    }
  };
  for (let position = start; position < data.length && written < out.length; position += 1) {
    const byte = data[position] as number;
    if (PDF_WHITESPACE.has(byte)) continue;
    if (byte === END_OF_ASCII85) break;
    if (byte === ZERO_GROUP && group.length === 0) {
      for (let index = 0; index < 4 && written < out.length; index += 1) out[written++] = 0;
      continue;
    }
    if (byte < FIRST_BASE85_DIGIT || byte > LAST_BASE85_DIGIT) {
      if (written === 0 && group.length === 0) return undefined;
      break;
    }
    group.push(byte - FIRST_BASE85_DIGIT);
    if (group.length === 5) {
      flush(group);
      group.length = 0;
    }
  }
  if (group.length > 1) flush(group);
  return out.subarray(0, written);
}

/**
 * ASCIIHex from `start`, up to `maxBytes` decoded bytes, or undefined when
 * the data is not hexadecimal.
 */
export function asciiHexDecoded(
  data: Uint8Array,
  start: number,
  maxBytes: number,
): Buffer | undefined {
  let digits = '';
  for (
    let position = start;
    position < data.length && digits.length < maxBytes * 2;
    position += 1
  ) {
    const byte = data[position] as number;
    if (PDF_WHITESPACE.has(byte)) continue;
    if (byte === END_OF_HEX) break;
    if (!isHexDigit(byte)) {
      if (digits.length === 0) return undefined;
      break;
    }
    digits += String.fromCharCode(byte);
  }
  if (digits.length === 0) return undefined;
  return Buffer.from(digits.length % 2 === 0 ? digits : `${digits}0`, 'hex');
}

function isHexDigit(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x46) ||
    (byte >= 0x61 && byte <= 0x66)
  );
}
