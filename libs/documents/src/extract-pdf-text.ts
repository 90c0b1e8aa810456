import { definePDFJSModule, getDocumentProxy } from 'unpdf';
import { DocumentError, textTooLongError } from './document-error';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './document-limits';
import { guardPdfStreams } from './guard-pdf-streams';

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
 * The text of every page, merged as unpdf's `extractText(pdf, { mergePages:
 * true })` merged it, but read as pdf.js streams it. Pages can all draw one
 * shared content stream (and a page can list it many times), which the
 * stream guard inflates and counts once: 2,000 pages sharing 50 KB of text
 * held pdf.js for minutes before the text was compared with the limit. Here
 * reading stops, and the PDF is refused, as soon as its merged text is
 * certain to be longer than `maxTextChars`. PAGES_READ_AT_ONCE pages are read at a
 * time, as unpdf read them all at once: one after the other took a sixth
 * longer on an ordinary PDF.
 */
async function readMergedText(pdf: PdfDocument, maxTextChars: number): Promise<string> {
  const pageTexts: string[] = [];
  // Each page's floor on its own (pages read together interleave), summed:
  // the page breaks between them only add to the merged length.
  const budget = { floor: 0 };
  for (let first = 1; first <= pdf.numPages; first += PAGES_READ_AT_ONCE) {
    const numbers = Array.from(
      { length: Math.min(PAGES_READ_AT_ONCE, pdf.numPages - first + 1) },
      (_, offset) => first + offset,
    );
    pageTexts.push(
      ...(await Promise.all(numbers.map((n) => readPageText(pdf, n, budget, maxTextChars)))),
    );
  }
  const text = mergePageTexts(pageTexts);
  if (text.length > maxTextChars) throw textTooLongError(maxTextChars);
  return text;
}

/** Pages read together; a refusal comes at most this many pages late. */
export const PAGES_READ_AT_ONCE = 8;

/** One page's text as pdf.js streams it, adding its floor to `budget` as it comes. */
async function readPageText(
  pdf: PdfDocument,
  pageNumber: number,
  budget: { floor: number },
  maxTextChars: number,
): Promise<string> {
  const page = await pdf.getPage(pageNumber);
  // getTextContent() is this stream read to its end; pdf.js produces the
  // next chunk only once the previous one is taken, and cancelling ends it.
  const reader = (page.streamTextContent() as ReadableStream<PdfTextContent>).getReader();
  const floor = new MergedLengthFloor();
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
  return pieces.join('');
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
function isTextItem(item: PdfTextItem): item is Extract<PdfTextItem, { str: string }> {
  return 'str' in item;
}

/**
 * The pages as one text, spaced as `extractText(pdf, { mergePages: true })`
 * spaced them, so that documents read before read the same now: a page break
 * is a line end; within a line, each run of spaces and tabs becomes one
 * space, and none is kept next to a line end; blank lines in a row become one.
 */
function mergePageTexts(pageTexts: readonly string[]): string {
  const HORIZONTAL_SPACE = /[^\S\n]+/g;
  const SPACE_AT_LINE_END = / ?\n ?/g;
  const BLANK_LINES = /\n\n\n+/g;
  return pageTexts
    .join('\n')
    .replaceAll(HORIZONTAL_SPACE, ' ')
    .replaceAll(SPACE_AT_LINE_END, '\n')
    .replaceAll(BLANK_LINES, '\n\n');
}

async function readTitle(pdf: PdfDocument): Promise<string | undefined> {
  const { info } = await pdf.getMetadata();
  const title = (info as { Title?: unknown }).Title;
  return typeof title === 'string' && title.trim() !== '' ? title : undefined;
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
