// The WHATWG MIME Sniffing Standard's "text/html" patterns (section 7.1):
// markup that opens with one of these tags is HTML whatever its name says.
const HTML_OPENINGS = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--',
];
// The standard ends a pattern at a space or `>`; line breaks and tabs are
// accepted too because hand-written pages put them there.
const TAG_TERMINATORS = new Set([' ', '>', '\t', '\n', '\f']);
const LONGEST_OPENING = Math.max(...HTML_OPENINGS.map((opening) => opening.length));

export function looksLikeHtml(text: string): boolean {
  const start = text.search(/\S/);
  if (start < 0) return false;
  const head = text.slice(start, start + LONGEST_OPENING + 1).toLowerCase();
  return HTML_OPENINGS.some(
    (opening) => head.startsWith(opening) && TAG_TERMINATORS.has(head.charAt(opening.length)),
  );
}
