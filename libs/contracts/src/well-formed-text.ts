import * as z from 'zod';

// Node 20 implements String.prototype.toWellFormed and isWellFormed (ES2024);
// the workspace compiles against the ES2023 library, which does not declare them.
declare global {
  interface String {
    toWellFormed(): string;
    isWellFormed(): boolean;
  }
}

/**
 * Text as the services keep it: well-formed UTF-16, without NUL. A lone
 * surrogate (half of a pair, as a client that cut a string between the two
 * halves sends) cannot be encoded as UTF-8, so Chroma refuses the write; NUL
 * ends a string in SQLite's C interface, so the embedded stores would keep
 * only what precedes it. Both are replaced by U+FFFD, the replacement
 * character, one for one: lengths and offsets into the text stay as the
 * client counted them, and every store keeps the same text.
 */
export function wellFormedText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** A string field of incoming free text, made well-formed as it is parsed. */
export function textField(): z.ZodString {
  return z.string().overwrite(wellFormedText);
}

/**
 * A character that shows something: not white space, a control, a
 * default-ignorable code point (zero-width spaces and joiners, word joiner,
 * soft hyphen, bidi marks, byte order mark), which trim() leaves in place,
 * a lone surrogate (half of a pair: no character at all), or the blank
 * Braille pattern (a title of it was a blank line in an exploratory test).
 */
const VISIBLE_CHARACTER = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cs}\u2800]/u;

/** Whether the text holds anything a reader would see. */
export function hasVisibleText(text: string): boolean {
  return VISIBLE_CHARACTER.test(text);
}

/** Where the first character a reader would see stands, or -1 when none does. */
export function firstVisibleIndex(text: string): number {
  return text.search(VISIBLE_CHARACTER);
}

/**
 * A string field of incoming free text that must say something, checked as
 * sent and then made well-formed: a NUL or a lone surrogate shows nothing,
 * though each becomes a U+FFFD, which does (found in review: a document of
 * NULs was analysed and indexed, its summary replacement characters).
 */
export function visibleWellFormedText(): z.ZodString {
  return z
    .string()
    .refine(hasVisibleText, { error: 'must contain visible characters' })
    .overwrite(wellFormedText);
}

/**
 * Incoming free text that must say something: well-formed, trimmed, 1 to
 * `max` characters, and more than characters that show nothing (a text of
 * zero-width spaces was analysed, and its summary was those characters).
 */
export function visibleTextField(max: number): z.ZodString {
  return visibleWellFormedText().trim().min(1).max(max);
}
