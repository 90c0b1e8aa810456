import { createHash } from 'node:crypto';
import type { ExtractedDocument } from '@docuthinker/documents';

/** What the extractor gives for a plain-text upload of `text`, titled `title`. */
export function extractedText(text: string, title: string): ExtractedDocument {
  return {
    fileType: 'txt',
    mimeType: 'text/plain',
    text,
    title,
    contentHash: createHash('sha256').update(text).digest('hex'),
    size: Buffer.byteLength(text),
  };
}
