import { cleanTitleText, hasVisibleText } from '@docuthinker/contracts';

const LONGEST_TITLE = 200;
const FALLBACK_TITLE = 'Untitled document';
const HEADING_SEARCH_CHARS = 64 * 1024;

export interface TitleSources {
  /** The document's own title or first heading, if the format has one. */
  heading?: string;
  /** The sanitized upload name. */
  filename?: string;
  /** Text whose first line is the last resort; left out where it would be syntax (JSON). */
  text?: string;
}

/** Picks the most meaningful title available, cleaned and length-capped. */
export function chooseTitle(sources: TitleSources): string {
  const candidates = [
    sources.heading,
    filenameStem(sources.filename),
    sources.text === undefined ? undefined : firstLine(sources.text),
  ];
  for (const candidate of candidates) {
    const title = cleanTitle(candidate ?? '');
    // A name of zero-width characters shows nothing in a listing: the next source.
    if (hasVisibleText(title)) return title;
  }
  return FALLBACK_TITLE;
}

/**
 * The first ATX (`# Title`) or setext (`Title` over `===`) level-one heading
 * near the top. Lines are examined by hand rather than with one multi-line
 * regex, whose backtracking on long runs of spaces would be quadratic.
 */
export function firstMarkdownHeading(markdown: string): string | undefined {
  const lines = markdown.slice(0, HEADING_SEARCH_CHARS).split('\n');
  for (const [index, line] of lines.entries()) {
    const atx = /^ {0,3}#[ \t]/.exec(line);
    if (atx) return withoutClosingHashes(line.slice(atx[0].length));
    const next = lines[index + 1];
    if (line.trim() !== '' && next !== undefined && /^ {0,3}=+[ \t]*$/.test(next))
      return line.trim();
  }
  return undefined;
}

function withoutClosingHashes(content: string): string {
  const trimmed = content.trimEnd();
  let end = trimmed.length;
  while (end > 0 && trimmed.charAt(end - 1) === '#') end -= 1;
  const beforeHashes = trimmed.charAt(end - 1);
  return end === 0 || beforeHashes === ' ' || beforeHashes === '\t'
    ? trimmed.slice(0, end).trim()
    : trimmed.trim();
}

function filenameStem(filename: string | undefined): string | undefined {
  if (filename === undefined) return undefined;
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(0, dot) : filename;
}

function firstLine(text: string): string | undefined {
  return /\S[^\n]*/.exec(text.slice(0, HEADING_SEARCH_CHARS))?.[0];
}

function cleanTitle(raw: string): string {
  // Only the start can survive the cap, so a 20 MB first line costs nothing.
  const cleaned = cleanTitleText(raw.slice(0, LONGEST_TITLE * 4));
  const codePoints = Array.from(cleaned);
  return codePoints.length <= LONGEST_TITLE
    ? cleaned
    : `${codePoints
        .slice(0, LONGEST_TITLE - 1)
        .join('')
        .trimEnd()}…`;
}
