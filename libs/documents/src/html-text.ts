import { decodeHtmlEntities } from './html-entities';

export interface HtmlText {
  text: string;
  /** Content of the first `<title>`. */
  title?: string;
  /** Text of the first `<h1>`. */
  firstHeading?: string;
}

// Elements whose content is never read as page text.
const HIDDEN_ELEMENTS = new Set('script style noscript template title iframe object'.split(' '));
// Elements that start a paragraph (blank line) or a line of their own.
const PARAGRAPH_ELEMENTS = new Set([
  ...'p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl hr'.split(' '),
  ...'section article header footer main aside nav figure address form fieldset details'.split(' '),
]);
const LINE_ELEMENTS = new Set(
  'div li tr dt dd caption figcaption summary option legend'.split(' '),
);
const CELL_ELEMENTS = new Set(['td', 'th']);
const TAG_NAME = /^\/?([a-zA-Z][a-zA-Z0-9-]*)/;

/**
 * Reads the visible text of an HTML page in one linear pass. No HTML parser
 * or sanitizer is installed in this workspace, so this reads text only and
 * never produces markup; each search moves forward, so hostile markup (an
 * unclosed `<` or `<script>`) costs linear time.
 */
export function htmlToText(html: string): HtmlText {
  const text = new TextBuilder();
  const result: Omit<HtmlText, 'text'> = {};
  let headingStart: number | undefined;
  let preDepth = 0;
  let position = 0;

  while (position < html.length) {
    const open = html.indexOf('<', position);
    if (open < 0) {
      text.append(html.slice(position), preDepth > 0);
      break;
    }
    text.append(html.slice(position, open), preDepth > 0);

    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      position = end < 0 ? html.length : end + 3;
      continue;
    }
    const next = html.charAt(open + 1);
    if (!/[a-zA-Z/!?]/.test(next)) {
      text.append('<', preDepth > 0);
      position = open + 1;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close < 0) break;
    position = close + 1;

    const name = TAG_NAME.exec(html.slice(open + 1, close))?.[1]?.toLowerCase();
    if (name === undefined) continue;
    const isEndTag = next === '/';

    if (!isEndTag && HIDDEN_ELEMENTS.has(name)) {
      const contentEnd = findEndTag(html, name, position);
      if (name === 'title' && result.title === undefined) {
        result.title = collapseWhitespace(decodeHtmlEntities(html.slice(position, contentEnd)));
      }
      const endTagClose = html.indexOf('>', contentEnd);
      position = endTagClose < 0 ? html.length : endTagClose + 1;
      continue;
    }
    if (name === 'pre') preDepth = Math.max(0, preDepth + (isEndTag ? -1 : 1));
    if (name === 'h1' && result.firstHeading === undefined) {
      if (!isEndTag) headingStart = text.mark();
      else if (headingStart !== undefined) {
        result.firstHeading = collapseWhitespace(text.since(headingStart));
        headingStart = undefined;
      }
    }
    if (name === 'br') text.lineBreak();
    else if (PARAGRAPH_ELEMENTS.has(name)) text.paragraphBreak();
    else if (LINE_ELEMENTS.has(name)) text.endLine();
    else if (CELL_ELEMENTS.has(name) && !isEndTag) text.cellBreak();
  }

  const title = result.title || undefined;
  const firstHeading = result.firstHeading || undefined;
  return {
    text: text.toString(),
    ...(title === undefined ? {} : { title }),
    ...(firstHeading === undefined ? {} : { firstHeading }),
  };
}

/** Index where `</name` starts after `from`, or the end of input (as a browser would read it). */
function findEndTag(html: string, name: string, from: number): number {
  const endTag = new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi');
  endTag.lastIndex = from;
  return endTag.exec(html)?.index ?? html.length;
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Accumulates text the way a browser lays it out: collapsed spaces and block
 * breaks. It only ever looks at its last parts, so building stays linear.
 */
class TextBuilder {
  private readonly parts: string[] = [];

  mark(): number {
    return this.parts.length;
  }

  since(mark: number): string {
    return this.parts.slice(mark).join('');
  }

  append(raw: string, preformatted: boolean): void {
    const decoded = decodeHtmlEntities(raw);
    if (preformatted) {
      this.push(decoded);
      return;
    }
    const collapsed = decoded.replace(/[ \t\n\r\f]+/g, ' ');
    const afterSpace = this.atLineStart() || this.lastCharacter() === ' ';
    this.push(afterSpace && collapsed.startsWith(' ') ? collapsed.slice(1) : collapsed);
  }

  lineBreak(): void {
    this.trimTrailingSpaces();
    this.push('\n');
  }

  endLine(): void {
    if (!this.atLineStart()) this.lineBreak();
  }

  paragraphBreak(): void {
    if (this.parts.length === 0) return;
    this.endLine();
    const beforeLast = this.parts[this.parts.length - 2];
    if (beforeLast !== undefined && !beforeLast.endsWith('\n')) this.push('\n');
  }

  cellBreak(): void {
    if (this.atLineStart()) return;
    this.trimTrailingSpaces();
    this.push('\t');
  }

  toString(): string {
    return this.parts
      .join('')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  private push(part: string): void {
    if (part !== '') this.parts.push(part);
  }

  private lastCharacter(): string {
    return this.parts[this.parts.length - 1]?.slice(-1) ?? '';
  }

  private atLineStart(): boolean {
    return this.parts.length === 0 || this.lastCharacter() === '\n';
  }

  private trimTrailingSpaces(): void {
    let last = this.parts[this.parts.length - 1];
    while (last !== undefined) {
      let end = last.length;
      while (end > 0 && last.charCodeAt(end - 1) === 0x20) end -= 1;
      if (end === last.length) return;
      if (end > 0) {
        this.parts[this.parts.length - 1] = last.slice(0, end);
        return;
      }
      this.parts.pop();
      last = this.parts[this.parts.length - 1];
    }
  }
}
