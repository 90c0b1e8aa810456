import { decodeHTMLStrict } from 'entities';

// A reference counts only when a semicolon ends it: browsers also read
// "&copy" or "&amp" without one, which turns a link's "?a=1&copy=2" into
// "©=2"; a visible "&foo" is better than a wrong character. The bounds keep
// a hostile run of digits or letters from being matched as one reference
// (the longest HTML5 name has 31 characters).
const REFERENCE = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g;

// The text is indexed and searched: a no-break space reads as the space it
// shows, and a soft hyphen (an invisible line-break hint) as nothing, so
// "Stra&shy;&szlig;e" is found as "Straße".
const TEXT_READINGS: Readonly<Record<string, string>> = { '\u00a0': ' ', '\u00ad': '' };

/**
 * Decodes character references with the HTML5 rules and list of names
 * (the `entities` package, which htmlparser2 and cheerio use): numeric
 * references that are not Unicode scalar values become U+FFFD, the C1 range
 * reads as Windows-1252 as browsers do, and unknown names stay as written.
 */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (reference) => {
    const decoded = decodeHTMLStrict(reference);
    return TEXT_READINGS[decoded] ?? decoded;
  });
}
