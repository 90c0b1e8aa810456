import { corpusPdfText } from '@docuthinker/testing';

/**
 * The text of the corpus's shared-mime-info-spec.pdf as unpdf reads it,
 * without the backend's extraction (libs/documents): its type-checking would
 * become the stores' own.
 */
export function mimeSpecPdfText(): Promise<string> {
  return corpusPdfText('shared-mime-info-spec.pdf');
}
