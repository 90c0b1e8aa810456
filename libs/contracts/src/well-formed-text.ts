import * as z from 'zod';

// Node 20 implements String.prototype.toWellFormed (ES2024); the workspace
// compiles against the ES2023 library, which does not declare it yet.
declare global {
  interface String {
    toWellFormed(): string;
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
