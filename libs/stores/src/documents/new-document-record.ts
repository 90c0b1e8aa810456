import type { DocumentRecord, NewDocument } from '../ports/document-store';
import { newId } from '../shared/ids';

/**
 * What every document store keeps for a new document: its id (the caller's
 * or a new one), the fields given, optional ones only when present, indexing
 * pending and the creation time.
 */
export function newDocumentRecord(document: NewDocument, createdAt: Date): DocumentRecord {
  return {
    id: document.id ?? newId(),
    ownerId: document.ownerId,
    title: document.title,
    fileType: document.fileType,
    size: document.size,
    ...(document.pages !== undefined && { pages: document.pages }),
    contentHash: document.contentHash,
    text: document.text,
    ...(document.html !== undefined && { html: document.html }),
    summary: document.summary,
    summaryDegraded: document.summaryDegraded,
    indexStatus: 'pending',
    fileKey: document.fileKey,
    createdAt,
  };
}
