import { escapeRegExp } from './search-terms';

const SNIPPET_RADIUS = 80;

/**
 * About 160 characters of `text` around the first occurrence of any term,
 * cut at word boundaries, with an ellipsis where text was left out.
 */
export function snippetAround(text: string, terms: readonly string[]): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const pattern = terms.length > 0 ? new RegExp(terms.map(escapeRegExp).join('|'), 'iu') : null;
  const hit = pattern ? flat.search(pattern) : -1;
  const centre = Math.max(0, hit);
  let start = Math.max(0, centre - SNIPPET_RADIUS);
  let end = Math.min(flat.length, centre + SNIPPET_RADIUS);
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space !== -1 && space < centre) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > centre) end = space;
  }
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
