import { definePDFJSModule, getDocumentProxy } from 'unpdf';
import { DocumentError, textTooLongError } from './document-error';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './document-limits';
import { guardPdfStreams } from './guard-pdf-streams';
import { findPageFurniture } from './pdf-page-furniture';

export interface PdfText {
  text: string;
  pages: number;
  /** The Title entry of the document information dictionary, if set. */
  title?: string;
}

export interface PdfTextOptions extends Partial<
  Pick<DocumentLimits, 'maxUncompressedBytes' | 'maxCompressionRatio' | 'maxTextChars'>
> {
  /** Page counts above this are rejected before any page is read. */
  maxPages?: number;
}

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
type PdfTextContent = Awaited<
  ReturnType<Awaited<ReturnType<PdfDocument['getPage']>>['getTextContent']>
>;
type PdfTextItem = PdfTextContent['items'][number];
type PdfTextRun = Extract<PdfTextItem, { str: string }>;

let pdfjsLoaded: Promise<void> | undefined;

/**
 * unpdf's CommonJS entry loads its bundled pdf.js with a native `import()`,
 * which jest's CommonJS runtime cannot execute. Handing unpdf a loader
 * written here lets jest transpile the import and esbuild bundle it, so the
 * same code runs in tests and in the CommonJS backend bundle.
 */
export function loadPdfjs(): Promise<void> {
  pdfjsLoaded ??= definePDFJSModule(() => import('unpdf/pdfjs'));
  return pdfjsLoaded;
}

/**
 * Extracts the text of a PDF with unpdf (pdf.js). Exported on its own so a
 * benchmark can compare raw extraction with an end-to-end upload.
 */
export async function extractPdfText(
  bytes: Uint8Array,
  options: PdfTextOptions = {},
): Promise<PdfText> {
  const maxPages = options.maxPages ?? DEFAULT_DOCUMENT_LIMITS.maxPages;
  const maxTextChars = options.maxTextChars ?? DEFAULT_DOCUMENT_LIMITS.maxTextChars;
  await guardPdfStreams(bytes, {
    maxUncompressedBytes:
      options.maxUncompressedBytes ?? DEFAULT_DOCUMENT_LIMITS.maxUncompressedBytes,
    maxCompressionRatio: options.maxCompressionRatio ?? DEFAULT_DOCUMENT_LIMITS.maxCompressionRatio,
  });
  await loadPdfjs();
  let pdf: PdfDocument;
  try {
    pdf = await getDocumentProxy(
      // pdf.js transfers (detaches) the buffer it is given, and a Node Buffer's
      // slice() is a view of the caller's memory, so it gets a plain copy.
      new Uint8Array(bytes),
      // Text only: no font loading, no system font lookups, no console chatter.
      { disableFontFace: true, useSystemFonts: false, verbosity: 0 },
    );
  } catch (error) {
    throw asDocumentError(error);
  }
  try {
    // A page tree can reuse one page object to describe millions of pages in
    // a kilobyte, so the count is checked before any page is read.
    if (pdf.numPages > maxPages) {
      throw new DocumentError(
        'DT_ERR_FILE_TOO_LARGE',
        `The PDF has ${pdf.numPages} pages; at most ${maxPages} are accepted.`,
        { limit: 'maxPages' },
      );
    }
    const text = await readMergedText(pdf, maxTextChars);
    const title = await readTitle(pdf);
    return { text, pages: pdf.numPages, ...(title === undefined ? {} : { title }) };
  } catch (error) {
    throw asDocumentError(error);
  } finally {
    await pdf.loadingTask.destroy();
  }
}

/**
 * The text of every page, laid out as paragraphs (layOutText). pdf.js
 * streams each page's text; pages can all draw one shared content stream
 * (and a page can list it many times), which the stream guard inflates and
 * counts once: 2,000 pages sharing 50 KB of text held pdf.js for minutes
 * before the text was compared with the limit. Here reading stops, and the
 * PDF is refused, as soon as the text read is certain to be longer than
 * `maxTextChars`. PAGES_READ_AT_ONCE pages are read at a time, as unpdf read
 * them all at once: one after the other took a sixth longer on an ordinary
 * PDF.
 */
async function readMergedText(pdf: PdfDocument, maxTextChars: number): Promise<string> {
  const pages: PageText[] = [];
  // Each page's floor on its own (pages read together interleave), summed:
  // the page breaks between them only add to the merged length.
  const budget = { floor: 0 };
  for (let first = 1; first <= pdf.numPages; first += PAGES_READ_AT_ONCE) {
    const numbers = Array.from(
      { length: Math.min(PAGES_READ_AT_ONCE, pdf.numPages - first + 1) },
      (_, offset) => first + offset,
    );
    pages.push(
      ...(await Promise.all(numbers.map((n) => readPageText(pdf, n, budget, maxTextChars)))),
    );
  }
  // The limit holds for the text as read, headers and page numbers
  // included, so that a PDF refused on the floor while it is read is also
  // refused after a full read; and for the text returned, paragraph breaks
  // included.
  if (mergePageTexts(pages.map((page) => page.raw)).length > maxTextChars) {
    throw textTooLongError(maxTextChars);
  }
  const text = layOutText(pages.map((page) => page.lines));
  if (text.length > maxTextChars) throw textTooLongError(maxTextChars);
  return text;
}

/** Pages read together; a refusal comes at most this many pages late. */
export const PAGES_READ_AT_ONCE = 8;

/** One page's text as pdf.js streams it. */
interface PageText {
  /** The text as unpdf's `extractText` strings it together: what the limit counts. */
  raw: string;
  /** The lines that show any text, in reading order. */
  lines: PdfLine[];
}

/** A line of a page, as pdf.js breaks the page's text into lines. */
interface PdfLine {
  /** Its text, spaces not yet collapsed. */
  text: string;
  /** The baseline of its first visible text, in page units growing upwards. */
  y: number;
  /** Its largest font size, in page units. */
  size: number;
}

/** One page's text as pdf.js streams it, adding its floor to `budget` as it comes. */
async function readPageText(
  pdf: PdfDocument,
  pageNumber: number,
  budget: { floor: number },
  maxTextChars: number,
): Promise<PageText> {
  const page = await pdf.getPage(pageNumber);
  // getTextContent() is this stream read to its end; pdf.js produces the
  // next chunk only once the previous one is taken, and cancelling ends it.
  const reader = (page.streamTextContent() as ReadableStream<PdfTextContent>).getReader();
  const floor = new MergedLengthFloor();
  const lines = new LineCollector();
  const pieces: string[] = [];
  for (;;) {
    if (budget.floor > maxTextChars) {
      // Another page of the batch went over the limit.
      reader.cancel(textTooLongError(maxTextChars)).catch(() => undefined);
      throw textTooLongError(maxTextChars);
    }
    const chunk = await reader.read();
    if (chunk.done) break;
    const before = floor.length;
    for (const item of chunk.value.items) {
      if (!isTextItem(item)) continue;
      const piece = item.str + (item.hasEOL ? '\n' : '');
      pieces.push(piece);
      floor.add(piece);
      lines.add(item);
    }
    budget.floor += floor.length - before;
    if (budget.floor > maxTextChars) {
      const error = textTooLongError(maxTextChars);
      // pdf.js wants an Error as the reason, and without one a late close
      // from its side throws outside any caller. The cancel is not awaited:
      // pdf.js never confirms it when the page's text was already complete,
      // and destroying the document ends the reading either way.
      reader.cancel(error).catch(() => undefined);
      throw error;
    }
  }
  return { raw: pieces.join(''), lines: lines.finish() };
}

/**
 * Gathers text items into lines where pdf.js ends them (`hasEOL`), keeping
 * where each line stands. Lines of spaces only are dropped.
 */
class LineCollector {
  private readonly lines: PdfLine[] = [];
  private parts: string[] = [];
  private y: number | undefined;
  private size = 0;

  add(item: PdfTextRun): void {
    this.parts.push(item.str);
    if (/\S/.test(item.str)) {
      // [scaleX, skewY, skewX, scaleY, x, y]: the font size is the height of the glyphs' box.
      const [, , skewX = 0, scaleY = 0, , y = 0] = item.transform as number[];
      this.y ??= y;
      this.size = Math.max(this.size, Math.hypot(skewX, scaleY));
    }
    if (item.hasEOL) this.endLine();
  }

  finish(): PdfLine[] {
    this.endLine();
    return this.lines;
  }

  private endLine(): void {
    if (this.y !== undefined) {
      this.lines.push({ text: this.parts.join(''), y: this.y, size: this.size });
    }
    this.parts = [];
    this.y = undefined;
    this.size = 0;
  }
}

/**
 * The fewest characters text can keep once merged, counted as it arrives.
 * Merging only collapses whitespace: every other character survives, and so
 * does at least one character between two words. The floor is therefore
 * never above the merged length, so a PDF refused on it would also have been
 * refused after a full read.
 */
class MergedLengthFloor {
  length = 0;
  private gap = false;

  add(text: string): void {
    for (const [run] of text.matchAll(/\s+|\S+/g)) {
      if (/^\s/.test(run)) {
        this.gap = this.length > 0;
      } else {
        this.length += run.length + (this.gap ? 1 : 0);
        this.gap = false;
      }
    }
  }
}

/** Marked-content markers carry no text. */
function isTextItem(item: PdfTextItem): item is PdfTextRun {
  return 'str' in item;
}

/**
 * The pages as one text, spaced as `extractText(pdf, { mergePages: true })`
 * spaced them: a page break is a line end; within a line, each run of spaces
 * and tabs becomes one space, and none is kept next to a line end; blank
 * lines in a row become one.
 */
function mergePageTexts(pageTexts: readonly string[]): string {
  return collapseSpacing(pageTexts.join('\n'));
}

function collapseSpacing(text: string): string {
  const HORIZONTAL_SPACE = /[^\S\n]+/g;
  const SPACE_AT_LINE_END = / ?\n ?/g;
  const BLANK_LINES = /\n\n\n+/g;
  return text
    .replaceAll(HORIZONTAL_SPACE, ' ')
    .replaceAll(SPACE_AT_LINE_END, '\n')
    .replaceAll(BLANK_LINES, '\n\n');
}

/**
 * A line standing this many times further below the one before it than
 * lines of a paragraph usually do starts a new paragraph.
 */
const PARAGRAPH_GAP = 1.3;
/** A line drawn this many times larger than most of the text is a heading. */
const HEADING_SIZE = 1.15;

interface Layout {
  /** The font size most of the text is drawn in. */
  bodySize: number;
  /** The usual distance between two lines of a paragraph, in font sizes. */
  leading: number | undefined;
}

/**
 * The pages as one text, spaced as mergePageTexts spaces them, but without
 * page furniture (running headers and footers, page numbers: see
 * findPageFurniture) and with a blank line between paragraphs: before a
 * line that stands clearly further below the previous one than lines of a
 * paragraph do, and around headings (lines drawn larger than the text).
 * Other lines of a paragraph stay on lines of their own, as before. A page
 * break is a line end, or a blank line where startsPageParagraph says so.
 * Linear in the text's length.
 */
function layOutText(pages: readonly (readonly PdfLine[])[]): string {
  const furniture = findPageFurniture(
    pages.map((lines) => lines.map((line) => ({ text: line.text, look: sizeKey(line.size) }))),
  );
  const kept = pages.map((lines, page) => lines.filter((_, index) => !furniture[page]?.has(index)));
  const layout = measureLayout(kept);
  const parts: string[] = [];
  kept.forEach((lines, page) => {
    if (page > 0) {
      const last = kept[page - 1]?.at(-1);
      const first = lines[0];
      parts.push(last && first && startsPageParagraph(last, first, layout) ? '\n\n' : '\n');
    }
    let previous: PdfLine | undefined;
    for (const line of lines) {
      if (previous) parts.push(startsParagraph(previous, line, layout) ? '\n\n' : '\n');
      parts.push(line.text);
      previous = line;
    }
  });
  return collapseSpacing(parts.join(''));
}

/** The body text's font size and line spacing: the most common ones. */
function measureLayout(pages: readonly (readonly PdfLine[])[]): Layout {
  const charactersBySize = new Map<string, number>();
  const linesByLeading = new Map<string, number>();
  for (const lines of pages) {
    let previous: PdfLine | undefined;
    for (const line of lines) {
      const size = sizeKey(line.size);
      charactersBySize.set(size, (charactersBySize.get(size) ?? 0) + line.text.length);
      const gap = previous ? lineGap(previous, line) : Number.NaN;
      // Spacing between lines of one paragraph, not a line continued at
      // the same height or a jump across a figure.
      if (gap > 0.5 && gap < 5) {
        const leading = (Math.round(gap * 20) / 20).toString();
        linesByLeading.set(leading, (linesByLeading.get(leading) ?? 0) + 1);
      }
      previous = line;
    }
  }
  const leading = mostCommon(linesByLeading);
  return {
    bodySize: mostCommon(charactersBySize) ?? 0,
    leading: leading === undefined || leading <= 0 ? undefined : leading,
  };
}

/** The key counted most often, the smallest one on a tie. */
function mostCommon(counts: ReadonlyMap<string, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    const value = Number(key);
    if (!Number.isFinite(value)) continue;
    if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** Font sizes to the half point, so that rounding noise does not tell lines apart. */
function sizeKey(size: number): string {
  return (Math.round(size * 2) / 2).toString();
}

/** How far `line` stands below `previous`, in font sizes; negative when above it. */
function lineGap(previous: PdfLine, line: PdfLine): number {
  return (previous.y - line.y) / Math.max(previous.size, line.size);
}

function isHeading(line: PdfLine, layout: Layout): boolean {
  return layout.bodySize > 0 && line.size >= layout.bodySize * HEADING_SIZE;
}

/**
 * Whether the first line of a page starts a paragraph: no gap tells, so it
 * does next to a heading, or when the page before ends a sentence and this
 * one starts a new one or a list item. Otherwise the paragraph runs on
 * ("the checks" / "is:").
 */
function startsPageParagraph(last: PdfLine, first: PdfLine, layout: Layout): boolean {
  if (isHeading(last, layout) || isHeading(first, layout)) return true;
  return SENTENCE_END.test(last.text) && NEW_SENTENCE.test(first.text);
}

const SENTENCE_END = /[.!?:]["'”’)\]]*\s*$/u;
const NEW_SENTENCE = /^\s*(?:\p{Lu}|[•◦▪‣·*–—-]\s)/u;

function startsParagraph(previous: PdfLine, line: PdfLine, layout: Layout): boolean {
  const heading = isHeading(line, layout);
  if (heading !== isHeading(previous, layout)) return true;
  if (heading && sizeKey(line.size) !== sizeKey(previous.size)) return true;
  const gap = lineGap(previous, line);
  // Back up the page: the next column, or text placed out of order.
  if (gap < -1) return true;
  return layout.leading !== undefined && gap > layout.leading * PARAGRAPH_GAP;
}

/**
 * A byte order mark read as PDFDocEncoding (þÿ, ÿþ, ï»¿): pdf.js falls back to
 * that encoding when a Unicode string does not decode (a lone surrogate), and
 * the title read "þÿØ" (exploratory test). Such a title is no title.
 */
const UNDECODED_UNICODE = /^(?:\u00fe\u00ff|\u00ff\u00fe|\u00ef\u00bb\u00bf)/;

async function readTitle(pdf: PdfDocument): Promise<string | undefined> {
  const { info } = await pdf.getMetadata();
  const title = (info as { Title?: unknown }).Title;
  return typeof title === 'string' && title.trim() !== '' && !UNDECODED_UNICODE.test(title)
    ? title
    : undefined;
}

function asDocumentError(error: unknown): DocumentError {
  if (error instanceof DocumentError) return error;
  // pdf.js exceptions are recognised by name; their classes are not exported by unpdf.
  if ((error as { name?: unknown } | null)?.name === 'PasswordException') {
    return new DocumentError(
      'DT_ERR_ENCRYPTED_FILE',
      'The PDF is protected by a password. Remove the password and upload it again.',
      { cause: error },
    );
  }
  return new DocumentError(
    'DT_ERR_CORRUPT_FILE',
    'The PDF is damaged and its text cannot be read.',
    { cause: error },
  );
}
