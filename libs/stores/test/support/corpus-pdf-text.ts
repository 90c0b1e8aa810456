import { definePDFJSModule, extractText, getDocumentProxy } from 'unpdf';
import { corpusFile } from '@docuthinker/testing';

let pdfjsLoaded: Promise<void> | undefined;

/**
 * The text of the corpus's shared-mime-info-spec.pdf, read with the package
 * the backend's extraction uses (unpdf), without depending on that library:
 * its type-checking would become the stores' own.
 */
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
