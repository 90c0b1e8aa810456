import mammoth from 'mammoth';
import { corpusFile, corpusPdfText } from '@docuthinker/testing';

/*
 * The text of the corpus's DOCX and PDF as the backend extracts it and hands
 * it to the gateway. This library may not use the backend's extraction
 * (libs/documents), so it reads them with the same packages: mammoth's raw
 * text keeps the paragraphs the backend keeps, and unpdf's merged text is
 * the backend's before its layout (running headers and page numbers still
 * in it): a harder text for the offline engine than the one it gets.
 */

/** bsd.docx: its numbered conditions are typed into one paragraph ("… are met: 1. …"). */
export async function bsdDocxText(): Promise<string> {
  const { value } = await mammoth.extractRawText({ buffer: corpusFile('bsd.docx') });
  return value;
}

/** shared-mime-info-spec.pdf: prose with XML samples and grammar lines between it. */
export function mimeSpecPdfText(): Promise<string> {
  return corpusPdfText('shared-mime-info-spec.pdf');
}
