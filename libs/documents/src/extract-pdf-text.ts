import { definePDFJSModule, extractText, getDocumentProxy } from 'unpdf';
import { DocumentError } from './document-error';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './document-limits';
import { guardPdfStreams } from './guard-pdf-streams';

export interface PdfText {
  text: string;
  pages: number;
  /** The Title entry of the document information dictionary, if set. */
  title?: string;
}

export interface PdfTextOptions extends Partial<
  Pick<DocumentLimits, 'maxUncompressedBytes' | 'maxCompressionRatio'>
> {
  /** Page counts above this are rejected before any page is read. */
  maxPages?: number;
}

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

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
    const { text } = await extractText(pdf, { mergePages: true });
    const title = await readTitle(pdf);
    return { text, pages: pdf.numPages, ...(title === undefined ? {} : { title }) };
  } catch (error) {
    throw asDocumentError(error);
  } finally {
    await pdf.loadingTask.destroy();
  }
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
