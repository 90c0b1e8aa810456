import { displayableDocxHtml } from '@docuthinker/documents';
import type { DocumentMetadata, DocumentPage, DocumentRecord } from '@docuthinker/stores';

/** The API's metadata shape: no owner, content hash or storage key. */
export function metadataView(document: DocumentMetadata) {
  return {
    id: document.id,
    title: document.title,
    fileType: document.fileType,
    size: document.size,
    ...(document.pages === undefined ? {} : { pages: document.pages }),
    createdAt: document.createdAt.toISOString(),
    summary: document.summary,
    summaryDegraded: document.summaryDegraded,
    indexStatus: document.indexStatus,
  };
}

export async function detailView(document: DocumentRecord) {
  return {
    ...metadataView(document),
    text: document.text,
    ...(document.html === undefined ? {} : { html: await displayableDocxHtml(document.html) }),
  };
}

/** A listing page as the JSON text sent (and cached): list items carry no page count. */
export function listView(page: DocumentPage): string {
  return JSON.stringify({
    items: page.items.map(({ pages: _pages, ...item }) => metadataView(item)),
    nextCursor: page.nextCursor,
  });
}
