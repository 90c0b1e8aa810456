import * as z from 'zod';
import { hasVisibleText, wellFormedText } from './well-formed-text';

/**
 * The bidirectional marks, embeddings, overrides and isolates: invisible,
 * they let "invoice<U+202E>fdp.exe" display as "invoiceexe.pdf". File names
 * and titles (which name downloads) both drop them.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A title on one line, composed (NFC), without the characters file names lose:
 * bidirectional controls are dropped, and C0/C1 controls (line breaks
 * included) become spaces because they usually separate words. The backend
 * cleans titles of uploads and renames with it, and the gateway those a user
 * token indexes directly.
 */
export function cleanTitleText(raw: string): string {
  return (
    raw
      // Half a surrogate pair (a file name decoded from UTF-16, say) cannot
      // be stored as UTF-8: it becomes U+FFFD, as in all free text.
      .toWellFormed()
      // Composed, as uploads' file names already were: "Cafe\u0301" and
      // "Caf\u00e9" look alike and are one title (exploratory test).
      .normalize('NFC')
      .replace(BIDI_CONTROLS, '')
      .replace(/\p{Cc}/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * A title as the services take it: showing something as sent, made
 * well-formed one for one as all free text is (see wellFormedText), cleaned
 * (cleanTitleText), and 1 to `max` characters. Whether it shows anything is
 * asked before NULs and lone surrogates become U+FFFD, which shows: a title
 * of NULs was stored as replacement characters, and one of zero-width spaces
 * was a blank line in a listing (both found in exploratory tests). A blank
 * title (white space only) gets one error, the length check's; one of other
 * characters that show nothing, controls included, "must contain visible
 * characters".
 */
export function titleField(max: number): z.ZodString {
  return z
    .string()
    .refine((raw) => raw.trim() === '' || hasVisibleText(raw), {
      error: 'must contain visible characters',
      abort: true,
    })
    .overwrite(wellFormedText)
    .overwrite(cleanTitleText)
    .min(1, { abort: true })
    .max(max, { error: `must be at most ${max} characters` });
}
