import mammoth from 'mammoth';
import { definePDFJSModule, extractText, getDocumentProxy } from 'unpdf';
import { corpusFile } from '@docuthinker/testing';

/*
 * The text of the corpus's DOCX and PDF as the backend extracts it and hands
 * it to the gateway. This library may not use the backend's extraction
 * (libs/documents), so it reads them with the same packages: mammoth's raw
 * text keeps the paragraphs the backend keeps, and unpdf's merged text is
 * what the backend reproduces page by page.
 */

/** bsd.docx: its numbered conditions are typed into one paragraph ("… are met: 1. …"). */
export async function bsdDocxText(): Promise<string> {
  const { value } = await mammoth.extractRawText({ buffer: corpusFile('bsd.docx') });
  return value;
}

let pdfjsLoaded: Promise<void> | undefined;

/** shared-mime-info-spec.pdf: prose with XML samples and grammar lines between it. */
export async function mimeSpecPdfText(): Promise<string> {
  // unpdf loads pdf.js with a native import() that jest cannot run; a loader
  // written here is transpiled by jest.
  pdfjsLoaded ??= definePDFJSModule(() => import('unpdf/pdfjs'));
  await pdfjsLoaded;
  const pdf = await getDocumentProxy(new Uint8Array(corpusFile('shared-mime-info-spec.pdf')), {
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  try {
    const { text } = await extractText(pdf, { mergePages: true });
    return text;
  } finally {
    await pdf.loadingTask.destroy();
  }
}
