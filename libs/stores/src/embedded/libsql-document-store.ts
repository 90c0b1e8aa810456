import type {
  DeletedDocuments,
  DocumentMetadata,
  DocumentPage,
  DocumentPageRequest,
  DocumentRecord,
  DocumentSearchHit,
  DocumentSearchOptions,
  DocumentStore,
  DocumentUpdate,
  IndexStatus,
  NewDocument,
} from '../ports/document-store';
import { newDocumentRecord } from '../documents/new-document-record';
import { clampPageSize, decodePageCursor, pageFromRows } from '../documents/page-cursor';
import { clampSearchLimit, foldedSearchTerms, matchesAsPrefix } from '../documents/search-terms';
import { snippetAround, snippetScanChars } from '../documents/snippet';
import type { Clock } from '../shared/clock';
import { DuplicateIdError } from '../shared/errors';
import { probeHealth, type HealthReport } from '../shared/health';
import { inWriteTransaction, isUniqueViolation, type EmbeddedDatabase } from './libsql-database';
import { insertOutboxJob, queueIndexJob } from './libsql-outbox-store';
import { indexDocumentTerms, ownerTag } from './libsql-owner-terms';
import { prepared } from './libsql-statements';

interface MetadataRow {
  id: string;
  owner_id: string;
  title: string;
  file_type: string;
  size: number;
  pages: number | null;
  content_hash: string;
  summary: string;
  summary_degraded: number;
  index_status: IndexStatus;
  file_key: string;
  created_at: number;
}

interface DocumentRow extends MetadataRow {
  text: string;
  html: string | null;
}

const METADATA_COLUMNS =
  'id, owner_id, title, file_type, size, pages, content_hash, summary, summary_degraded, index_status, file_key, created_at';

function toMetadata(row: MetadataRow): DocumentMetadata {
  return {
    id: row.id,
    ownerId: row.owner_id,
    title: row.title,
    fileType: row.file_type,
    size: row.size,
    ...(row.pages !== null && { pages: row.pages }),
    contentHash: row.content_hash,
    summary: row.summary,
    summaryDegraded: row.summary_degraded === 1,
    indexStatus: row.index_status,
    fileKey: row.file_key,
    createdAt: new Date(row.created_at),
  };
}

function toDocument(row: DocumentRow): DocumentRecord {
  return { ...toMetadata(row), text: row.text, ...(row.html !== null && { html: row.html }) };
}

/**
 * An FTS5 query in which every term must match, in `columns`, as the prefix of
 * one of the owner's words (or the whole word: matchesAsPrefix). Terms are
 * quoted, so nothing the user typed is read as FTS5 syntax.
 */
function ownerPrefixMatchQuery(
  ownerId: string,
  terms: readonly string[],
  columns: 'title' | '{title text}',
): string {
  const tag = ownerTag(ownerId);
  const all = terms
    .map((term, index) => {
      const quoted = `"${tag}${term.replaceAll('"', '""')}"`;
      return matchesAsPrefix(index, terms) ? `${quoted}*` : quoted;
    })
    .join(' AND ');
  return `${columns} : (${all})`;
}

const MERGE_OWED = 'SELECT 1 FROM document_terms_merge_owed';

export class LibsqlDocumentStore implements DocumentStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly clock: Clock,
  ) {}

  /**
   * Rewrites the full-text index without the words of documents deleted or
   * renamed since it opened; called as the store closes. `document_terms`
   * is contentless (`contentless_delete=1`): a delete only records a
   * tombstone, and the words stay in the index's pages until a merge
   * rewrites them (FTS5's 'secure-delete' cannot remove them, as the table
   * does not know a row's words). 'optimize' merges the whole index: 0.35 s
   * for 2,000 documents of 30 KB, too long to block every delete, and
   * nothing when no word was deleted. Whether a merge is owed is kept in the
   * file (document_terms_merge_owed), so the next store to open it after a
   * crash merges too.
   */
  mergeDeletedTerms(): void {
    if (!this.db.open || !prepared(this.db, MERGE_OWED).get()) return;
    try {
      inWriteTransaction(this.db, () => {
        this.db.exec("INSERT INTO document_terms (document_terms) VALUES ('optimize')");
        prepared(this.db, 'DELETE FROM document_terms_merge_owed').run();
      });
    } catch {
      // Another process holds the write lock past the busy timeout: closing
      // matters more, and the next close (or FTS5's own merges) takes it.
    }
  }

  async create(document: NewDocument): Promise<DocumentRecord> {
    const record = newDocumentRecord(document, this.clock());
    try {
      inWriteTransaction(this.db, () => {
        insertOutboxJob(this.db, record.createdAt, {
          kind: 'index',
          ownerId: record.ownerId,
          documentId: record.id,
        });
        const { lastInsertRowid } = prepared(
          this.db,
          `INSERT INTO documents (${METADATA_COLUMNS}, text, html)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          record.id,
          record.ownerId,
          record.title,
          record.fileType,
          record.size,
          record.pages ?? null,
          record.contentHash,
          record.summary,
          record.summaryDegraded ? 1 : 0,
          record.indexStatus,
          record.fileKey,
          record.createdAt.getTime(),
          record.text,
          record.html ?? null,
        );
        indexDocumentTerms(this.db, lastInsertRowid, record.ownerId, record.title, record.text);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'documents.id')) throw new DuplicateIdError(record.id);
      throw error;
    }
    return record;
  }

  async get(ownerId: string, id: string): Promise<DocumentRecord | null> {
    const row = prepared(
      this.db,
      `SELECT ${METADATA_COLUMNS}, text, html FROM documents WHERE owner_id = ? AND id = ?`,
    ).get(ownerId, id) as DocumentRow | undefined;
    return row ? toDocument(row) : null;
  }

  async list(ownerId: string, page: DocumentPageRequest): Promise<DocumentPage> {
    const limit = clampPageSize(page.limit);
    const after = page.cursor ? decodePageCursor(page.cursor) : null;
    const rows = (
      after
        ? prepared(
            this.db,
            `SELECT ${METADATA_COLUMNS} FROM documents
                WHERE owner_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
                ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(ownerId, after.atMs, after.atMs, after.id, limit + 1)
        : prepared(
            this.db,
            `SELECT ${METADATA_COLUMNS} FROM documents WHERE owner_id = ?
                ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(ownerId, limit + 1)
    ) as MetadataRow[];
    return pageFromRows(rows, limit, toMetadata);
  }

  async update(
    ownerId: string,
    id: string,
    update: DocumentUpdate,
  ): Promise<DocumentMetadata | null> {
    return inWriteTransaction(this.db, () => {
      const assignments: string[] = [];
      const values: (string | number)[] = [];
      const renamed = update.title !== undefined && this.titleDiffers(ownerId, id, update.title);
      if (update.title !== undefined) {
        assignments.push('title = ?');
        values.push(update.title);
      }
      if (renamed) {
        assignments.push('index_status = ?');
        values.push('pending');
        queueIndexJob(this.db, this.clock(), ownerId, id);
      }
      if (update.summary !== undefined) {
        assignments.push('summary = ?');
        values.push(update.summary);
      }
      if (update.summaryDegraded !== undefined) {
        assignments.push('summary_degraded = ?');
        values.push(update.summaryDegraded ? 1 : 0);
      }
      if (assignments.length > 0) {
        prepared(
          this.db,
          `UPDATE documents SET ${assignments.join(', ')} WHERE owner_id = ? AND id = ?`,
        ).run(...values, ownerId, id);
      }
      if (update.title !== undefined) this.reindexTerms(ownerId, id);
      return this.findMetadata(ownerId, id);
    });
  }

  /** Whether the owner's document exists under another title than `title`. */
  private titleDiffers(ownerId: string, id: string, title: string): boolean {
    const row = prepared(this.db, 'SELECT title FROM documents WHERE owner_id = ? AND id = ?').get(
      ownerId,
      id,
    ) as { title: string } | undefined;
    return row !== undefined && row.title !== title;
  }

  async setIndexStatus(
    ownerId: string,
    id: string,
    status: IndexStatus,
    indexedTitle?: string,
  ): Promise<boolean> {
    const result =
      indexedTitle === undefined
        ? prepared(
            this.db,
            'UPDATE documents SET index_status = ? WHERE owner_id = ? AND id = ?',
          ).run(status, ownerId, id)
        : prepared(
            this.db,
            'UPDATE documents SET index_status = ? WHERE owner_id = ? AND id = ? AND title = ?',
          ).run(status, ownerId, id, indexedTitle);
    return result.changes > 0;
  }

  async delete(ownerId: string, id: string): Promise<DocumentMetadata | null> {
    return inWriteTransaction(this.db, () => {
      const existing = this.findMetadata(ownerId, id);
      if (!existing) return null;
      this.forgetTerms(ownerId, id);
      prepared(this.db, 'DELETE FROM documents WHERE owner_id = ? AND id = ?').run(ownerId, id);
      insertOutboxJob(this.db, this.clock(), {
        kind: 'delete',
        ownerId,
        documentId: id,
        fileKey: existing.fileKey,
      });
      return existing;
    });
  }

  async deleteAllForOwner(ownerId: string): Promise<DeletedDocuments> {
    return inWriteTransaction(this.db, () => {
      const rows = prepared(this.db, 'SELECT id, file_key FROM documents WHERE owner_id = ?').all(
        ownerId,
      ) as { id: string; file_key: string }[];
      const now = this.clock();
      for (const row of rows) {
        insertOutboxJob(this.db, now, {
          kind: 'delete',
          ownerId,
          documentId: row.id,
          fileKey: row.file_key,
        });
      }
      prepared(
        this.db,
        'DELETE FROM document_terms WHERE rowid IN (SELECT seq FROM documents WHERE owner_id = ?)',
      ).run(ownerId);
      this.oweMerge();
      prepared(this.db, 'DELETE FROM documents WHERE owner_id = ?').run(ownerId);
      return { count: rows.length, fileKeys: rows.map((row) => row.file_key) };
    });
  }

  async count(ownerId: string): Promise<number> {
    const row = prepared(this.db, 'SELECT COUNT(*) AS count FROM documents WHERE owner_id = ?').get(
      ownerId,
    ) as { count: number };
    return row.count;
  }

  async titlesOf(ownerId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    // One statement for any number of ids: they arrive as one JSON array.
    const rows = prepared(
      this.db,
      `SELECT id, title FROM documents
          WHERE owner_id = ? AND id IN (SELECT value FROM json_each(?))`,
    ).all(ownerId, JSON.stringify(ids)) as { id: string; title: string }[];
    return new Map(rows.map((row) => [row.id, row.title]));
  }

  async searchTitles(
    ownerId: string,
    query: string,
    options: DocumentSearchOptions = {},
  ): Promise<DocumentSearchHit[]> {
    const terms = foldedSearchTerms(query);
    if (terms.length === 0) return [];
    const rows = this.rankedMatches(
      ownerId,
      ownerPrefixMatchQuery(ownerId, terms, 'title'),
      options,
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      snippet: row.title,
      score: -row.rank,
    }));
  }

  async searchContent(
    ownerId: string,
    query: string,
    options: DocumentSearchOptions = {},
  ): Promise<DocumentSearchHit[]> {
    const terms = foldedSearchTerms(query);
    if (terms.length === 0) return [];
    const rows = this.rankedMatches(
      ownerId,
      ownerPrefixMatchQuery(ownerId, terms, '{title text}'),
      options,
    );
    if (rows.length === 0) return [];
    // The index holds tagged words, not the text: snippets are cut from the
    // text of the page's documents only.
    const texts = new Map(
      (
        prepared(
          this.db,
          `SELECT id, text FROM documents
              WHERE owner_id = ? AND id IN (SELECT value FROM json_each(?))`,
        ).all(ownerId, JSON.stringify(rows.map((row) => row.id))) as { id: string; text: string }[]
      ).map((row) => [row.id, row.text]),
    );
    const scanChars = snippetScanChars(rows.length);
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      snippet: snippetAround(texts.get(row.id) ?? '', terms, scanChars),
      score: -row.rank,
    }));
  }

  async requeueIndexing(filter: { readonly ownerId?: string } = {}): Promise<number> {
    return inWriteTransaction(this.db, () => {
      const rows = (
        filter.ownerId === undefined
          ? prepared(this.db, 'SELECT id, owner_id FROM documents').all()
          : prepared(this.db, 'SELECT id, owner_id FROM documents WHERE owner_id = ?').all(
              filter.ownerId,
            )
      ) as { id: string; owner_id: string }[];
      const now = this.clock();
      const markPending = prepared(
        this.db,
        "UPDATE documents SET index_status = 'pending' WHERE id = ?",
      );
      for (const row of rows) {
        markPending.run(row.id);
        queueIndexJob(this.db, now, row.owner_id, row.id);
      }
      return rows.length;
    });
  }

  health(): Promise<HealthReport> {
    return probeHealth('libsql', async () => prepared(this.db, 'SELECT 1').get());
  }

  /**
   * The owner's best matches for an FTS5 query over their tagged words. bm25()
   * is negative, lower meaning better; callers negate it, as the port
   * promises higher-is-better.
   */
  private rankedMatches(
    ownerId: string,
    match: string,
    options: DocumentSearchOptions,
  ): { id: string; title: string; rank: number }[] {
    return prepared(
      this.db,
      `SELECT d.id, d.title, bm25(document_terms) AS rank
           FROM document_terms JOIN documents d ON d.seq = document_terms.rowid
          WHERE document_terms MATCH ? AND d.owner_id = ?
          ORDER BY rank, d.id LIMIT ?`,
    ).all(match, ownerId, clampSearchLimit(options.limit)) as {
      id: string;
      title: string;
      rank: number;
    }[];
  }

  private reindexTerms(ownerId: string, id: string): void {
    const row = prepared(
      this.db,
      'SELECT seq, title, text FROM documents WHERE owner_id = ? AND id = ?',
    ).get(ownerId, id) as { seq: number; title: string; text: string } | undefined;
    if (!row) return;
    prepared(this.db, 'DELETE FROM document_terms WHERE rowid = ?').run(row.seq);
    this.oweMerge();
    indexDocumentTerms(this.db, row.seq, ownerId, row.title, row.text);
  }

  private forgetTerms(ownerId: string, id: string): void {
    prepared(
      this.db,
      'DELETE FROM document_terms WHERE rowid = (SELECT seq FROM documents WHERE owner_id = ? AND id = ?)',
    ).run(ownerId, id);
    this.oweMerge();
  }

  /** Records, in the deleting transaction, that deleted words await the merge. */
  private oweMerge(): void {
    prepared(this.db, 'INSERT OR IGNORE INTO document_terms_merge_owed (id) VALUES (1)').run();
  }

  private findMetadata(ownerId: string, id: string): DocumentMetadata | null {
    const row = prepared(
      this.db,
      `SELECT ${METADATA_COLUMNS} FROM documents WHERE owner_id = ? AND id = ?`,
    ).get(ownerId, id) as MetadataRow | undefined;
    return row ? toMetadata(row) : null;
  }
}
