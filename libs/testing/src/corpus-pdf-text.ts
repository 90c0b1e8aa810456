import { definePDFJSModule, extractText, getDocumentProxy } from 'unpdf';
import { corpusFile } from './corpus';

let pdfjsLoaded: Promise<void> | undefined;

/**
 * The merged text of a corpus PDF as unpdf reads it (page after page, no
 * layout), for libraries whose specs may not use the backend's extraction
 * (libs/documents): its type-checking and scope would become theirs.
 */
export async function corpusPdfText(name: string): Promise<string> {
  // unpdf loads pdf.js with a native import() that jest cannot run; a loader
  // written here is transpiled by jest.
  pdfjsLoaded ??= definePDFJSModule(() => import('unpdf/pdfjs'));
  await pdfjsLoaded;
  const pdf = await getDocumentProxy(new Uint8Array(corpusFile(name)), {
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
