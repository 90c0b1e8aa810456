/**
 * How text that is not valid UTF-8 reads:
 * - `damaged-utf-8`: at least as many well-formed UTF-8 multi-byte
 *   sequences as invalid bytes, one of them telling UTF-8 (see tellsUtf8):
 *   a file cut short, or UTF-8 with some Latin-1 pasted in, which
 *   Windows-1252 would turn into mojibake ("CafÃ©") everywhere else;
 * - `windows-1252`: plausible Western text in Windows-1252 (Latin-1);
 * - `unknown`: some other code page (Shift-JIS, GBK, EUC-KR, Cyrillic,
 *   Central European…) that cannot be told for sure without a declaration.
 */
export type LegacyTextReading = 'damaged-utf-8' | 'windows-1252' | 'unknown';

// Bytes Windows-1252 leaves undefined. Shift-JIS uses 0x81 for its
// punctuation and full-width space, and 0x8D-0x9D as lead bytes.
const UNDEFINED_IN_WINDOWS_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
// ƒ Š Œ Ž š œ ž Ÿ ª µ º; 0xC0-0xFF are letters but × and ÷.
const LETTERS_BELOW_0XC0 = new Set([
  0x83, 0x8a, 0x8c, 0x8e, 0x9a, 0x9c, 0x9e, 0x9f, 0xaa, 0xb5, 0xba,
]);
// ª, the soft hyphen, ´ µ · and º sit inside Western words ("l·l", "don´t");
// the other signs from ¡ to ¿ (and × ÷) do not.
const WORD_SIGNS = new Set([0xaa, 0xad, 0xb4, 0xb5, 0xb7, 0xba]);
const LONGEST_LETTER_RUN = 3;
/**
 * UTF-8 lead bytes whose sequences tell UTF-8: accented Latin letters
 * (U+0080-U+017F, as "Ã©" in Windows-1252) and every sequence of three or
 * four bytes. A two-byte one from 0xC6 is also Windows-1252 by chance ("É"
 * and a no-break space are U+0260: review, "CAFÉ »" was refused).
 */
function tellsUtf8(lead: number): boolean {
  return (lead >= 0xc2 && lead <= 0xc5) || lead >= 0xe0;
}

/**
 * Reads bytes that are not valid UTF-8 in one linear pass over their
 * non-ASCII runs (maximal runs of bytes 0x80-0xFF).
 *
 * Windows-1252 is what browsers assume for unlabelled legacy text, and what
 * Windows, Word and Excel write for Western European languages. It decodes
 * any byte sequence, so it is only accepted when the runs look like Western
 * text: every byte is defined in it, and every run holding a letter is one
 * character long ("Café", "à"), or two or three long and joined to an ASCII
 * letter ("Größe", "ação"), and no sign from ¡ to ¿ stands alone between two
 * ASCII letters (Polish "by³o" is "było" in Windows-1250). Other encodings
 * fail this at their first words: CJK characters are two bytes, mostly from
 * 0x81-0xFE, that read as runs of Latin letters (Shift-JIS "日本" reads
 * "“ú–{", and its punctuation uses the undefined 0x81), and Cyrillic, Greek,
 * Hebrew or Arabic words are runs of four letters or more.
 * A file that only fails it somewhere is refused as a whole: a clear
 * "save it as UTF-8" is better than silent mojibake. What it cannot catch is
 * a single-byte code page whose letters fall on Western ones (Turkish
 * Windows-1254 "baþka" for "başka").
 */
export function readLegacyText(bytes: Uint8Array): LegacyTextReading {
  let utf8Sequences = 0;
  // Those of them that only UTF-8 would write.
  let telling = 0;
  let strayBytes = 0;
  let westernText = true;
  let start = 0;
  while (start < bytes.length) {
    if (byteAt(bytes, start) < 0x80) {
      start += 1;
      continue;
    }
    let end = start + 1;
    while (end < bytes.length && byteAt(bytes, end) >= 0x80) end += 1;
    for (let index = start; index < end;) {
      const length = utf8SequenceLength(bytes, index, end);
      if (length > 0) {
        utf8Sequences += 1;
        if (tellsUtf8(byteAt(bytes, index))) telling += 1;
        index += length;
      } else {
        strayBytes += 1;
        index += 1;
      }
    }
    if (westernText) westernText = isWesternRun(bytes, start, end);
    start = end;
  }
  if (telling > 0 && utf8Sequences >= strayBytes) return 'damaged-utf-8';
  return westernText ? 'windows-1252' : 'unknown';
}

function isWesternRun(bytes: Uint8Array, start: number, end: number): boolean {
  let hasLetter = false;
  for (let index = start; index < end; index += 1) {
    const byte = byteAt(bytes, index);
    if (UNDEFINED_IN_WINDOWS_1252.has(byte)) return false;
    if (isWindows1252Letter(byte)) hasLetter = true;
  }
  const letterBefore = isAsciiLetter(bytes[start - 1]);
  const letterAfter = isAsciiLetter(bytes[end]);
  if (end - start === 1) {
    const byte = byteAt(bytes, start);
    const isSign = (byte >= 0xa1 && byte <= 0xbf) || byte === 0xd7 || byte === 0xf7;
    return !(isSign && !WORD_SIGNS.has(byte) && letterBefore && letterAfter);
  }
  return !hasLetter || (end - start <= LONGEST_LETTER_RUN && (letterBefore || letterAfter));
}

function isWindows1252Letter(byte: number): boolean {
  return (byte >= 0xc0 && byte !== 0xd7 && byte !== 0xf7) || LETTERS_BELOW_0XC0.has(byte);
}

function isAsciiLetter(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

/** Length of the well-formed UTF-8 sequence at `index` (Unicode table 3-7), or 0. */
function utf8SequenceLength(bytes: Uint8Array, index: number, end: number): number {
  const lead = byteAt(bytes, index);
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (lead < 0xc2 || lead > 0xf4 || index + length > end) return 0;
  // The second byte's range narrows after E0, ED, F0 and F4 (no overlongs,
  // surrogates or code points past U+10FFFF).
  const second = byteAt(bytes, index + 1);
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  for (let offset = 2; offset < length; offset += 1) {
    const next = byteAt(bytes, index + offset);
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

function byteAt(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}
