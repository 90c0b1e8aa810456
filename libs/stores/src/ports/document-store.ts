import type { HealthCheckable } from '../shared/health';

export const INDEX_STATUSES = ['pending', 'indexed', 'failed'] as const;
export type IndexStatus = (typeof INDEX_STATUSES)[number];

export interface DocumentRecord {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
  /** Detected format, e.g. `pdf`, `docx`, `txt`, `md`, `html`, `csv`, `json`. */
  readonly fileType: string;
  /** Size of the original file in bytes. */
  readonly size: number;
  readonly pages?: number;
  /** Hash of the extracted text; part of the AI result cache key. */
  readonly contentHash: string;
  readonly text: string;
  readonly html?: string;
  readonly summary: string;
  /** True while the summary came from a fallback rather than the AI gateway. */
  readonly summaryDegraded: boolean;
  readonly indexStatus: IndexStatus;
  /** Where the original bytes live in the `FileStore`. */
  readonly fileKey: string;
  readonly createdAt: Date;
}

/** A document without its (possibly large) text and HTML: what lists return. */
export type DocumentMetadata = Omit<DocumentRecord, 'text' | 'html'>;

export type NewDocument = Omit<DocumentRecord, 'id' | 'createdAt' | 'indexStatus'> & {
  /** Lets the caller pick the id, e.g. to name the file key before saving. */
  readonly id?: string;
};

export interface DocumentUpdate {
  readonly title?: string;
  readonly summary?: string;
  readonly summaryDegraded?: boolean;
}

export interface DocumentPageRequest {
  /** Clamped to 1..100. */
  readonly limit: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string | null;
}

export interface DocumentPage {
  /** Newest first; documents created in the same millisecond are ordered by id. */
  readonly items: DocumentMetadata[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export interface DocumentSearchHit {
  readonly id: string;
  readonly title: string;
  /** A short excerpt around the match (the title for title searches). */
  readonly snippet: string;
  /** Higher is better; only comparable within one result list. */
  readonly score: number;
}

export interface DocumentSearchOptions {
  /** Clamped to 1..50; default 10. */
  readonly limit?: number;
}

export interface DeletedDocuments {
  readonly count: number;
  /** File keys of the removed documents; their delete jobs carry them too. */
  readonly fileKeys: string[];
}

/**
 * Documents and the outbox jobs that keep the AI/ML gateway's index in step
 * with them. Every method is scoped by owner: another owner's document is
 * "not found", never "forbidden".
 */
export interface DocumentStore extends HealthCheckable {
  /** Saves the document (`indexStatus: pending`) and its index job in one atomic write. */
  create(document: NewDocument): Promise<DocumentRecord>;
  get(ownerId: string, id: string): Promise<DocumentRecord | null>;
  /** Throws `InvalidCursorError` for a cursor that this store did not produce. */
  list(ownerId: string, page: DocumentPageRequest): Promise<DocumentPage>;
  /**
   * A new title also marks the document `pending` and enqueues its index job,
   * in the same atomic write: the gateway's graph names documents by title.
   */
  update(ownerId: string, id: string, update: DocumentUpdate): Promise<DocumentMetadata | null>;
  /**
   * With `indexedTitle`, only while the document still has that title: an
   * index job marks `indexed` the snapshot it sent, and a rename since has
   * queued a newer job whose status it is (the gateway still shows the old
   * title until that one runs). False when nothing was written.
   */
  setIndexStatus(
    ownerId: string,
    id: string,
    status: IndexStatus,
    indexedTitle?: string,
  ): Promise<boolean>;
  /** Removes the document and enqueues its delete job in one atomic write. */
  delete(ownerId: string, id: string): Promise<DocumentMetadata | null>;
  /**
   * Removes every document of the owner, each together with its delete job
   * (MongoDB works in batches of 500: an erasure stopped half-way is run again).
   */
  deleteAllForOwner(ownerId: string): Promise<DeletedDocuments>;
  count(ownerId: string): Promise<number>;
  /**
   * The titles of those of `ids` that are the owner's documents, by id, read
   * without the documents' text. Ids of other owners' or missing documents
   * are absent from the map.
   */
  titlesOf(ownerId: string, ids: readonly string[]): Promise<Map<string, string>>;
  /** Every query word must start a word of the title (case-insensitive). */
  searchTitles(
    ownerId: string,
    query: string,
    options?: DocumentSearchOptions,
  ): Promise<DocumentSearchHit[]>;
  /** Every query word must occur in the text or title; best matches first. */
  searchContent(
    ownerId: string,
    query: string,
    options?: DocumentSearchOptions,
  ): Promise<DocumentSearchHit[]>;
  /**
   * Marks the owner's documents (or everyone's, without an owner) pending and
   * enqueues an index job for each: the re-index command. Returns how many.
   */
  requeueIndexing(filter?: { readonly ownerId?: string }): Promise<number>;
}
