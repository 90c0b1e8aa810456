import type { Collection, Db, Filter, MongoClient } from 'mongodb';
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
import {
  clampSearchLimit,
  escapeRegExp,
  matchesAsPrefix,
  searchTerms,
} from '../documents/search-terms';
import { snippetAround, snippetScanChars } from '../documents/snippet';
import type { Clock } from '../shared/clock';
import { DuplicateIdError } from '../shared/errors';
import { probeHealth, type HealthReport } from '../shared/health';
import { MONGO_COLLECTIONS, inMongoTransaction, isDuplicateKey } from './mongo-database';
import { insertOutboxJobs, newOutboxJobDocument, queueIndexJob } from './mongo-outbox-store';

interface DocumentDocument {
  _id: string;
  ownerId: string;
  title: string;
  fileType: string;
  size: number;
  pages?: number;
  contentHash: string;
  text: string;
  html?: string;
  summary: string;
  summaryDegraded: boolean;
  indexStatus: IndexStatus;
  fileKey: string;
  createdAt: Date;
}

const METADATA_PROJECTION = { text: 0, html: 0 } as const;

function toMetadata(document: Omit<DocumentDocument, 'text' | 'html'>): DocumentMetadata {
  return {
    id: document._id,
    ownerId: document.ownerId,
    title: document.title,
    fileType: document.fileType,
    size: document.size,
    ...(document.pages !== undefined && document.pages !== null && { pages: document.pages }),
    contentHash: document.contentHash,
    summary: document.summary,
    summaryDegraded: document.summaryDegraded,
    indexStatus: document.indexStatus,
    fileKey: document.fileKey,
    createdAt: document.createdAt,
  };
}

function toDocument(document: DocumentDocument): DocumentRecord {
  return {
    ...toMetadata(document),
    text: document.text,
    ...(document.html !== undefined && document.html !== null && { html: document.html }),
  };
}

/** Documents removed per transaction by an owner's erasure (see deleteAllForOwner). */
const ERASURE_BATCH = 500;

/**
 * Matches `term` at the start of a word, like the embedded store's prefix
 * queries. Passed as pattern + options because BSON drops a RegExp's `u`
 * flag; the server's PCRE runs in UTF mode anyway, so `\p{L}` works.
 */
function wordPrefix(index: number, terms: readonly string[]): { $regex: string; $options: string } {
  const term = terms[index] ?? '';
  // A word of one letter inside a query is a whole word (matchesAsPrefix).
  const end = matchesAsPrefix(index, terms) ? '' : '(?![\\p{L}\\p{N}])';
  return { $regex: `(?:^|[^\\p{L}\\p{N}])${escapeRegExp(term)}${end}`, $options: 'i' };
}

/**
 * Documents on MongoDB. Writes that must enqueue an outbox job use a
 * multi-document transaction rather than embedding the job in the document:
 * the production deployments (Atlas, DocumentDB) are replica sets, where
 * transactions are available, and a separate `outbox_jobs` collection lets a
 * delete job outlive its document and lets workers claim due jobs through one
 * small index instead of scanning documents.
 */
export class MongoDocumentStore implements DocumentStore {
  private readonly documents: Collection<DocumentDocument>;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.documents = db.collection<DocumentDocument>(MONGO_COLLECTIONS.documents);
  }

  async create(document: NewDocument): Promise<DocumentRecord> {
    const { id, ...fields } = newDocumentRecord(document, this.clock());
    const stored: DocumentDocument = { _id: id, ...fields };
    try {
      await inMongoTransaction(this.client, async (session) => {
        await insertOutboxJobs(this.db, session, [
          newOutboxJobDocument(stored.createdAt, {
            kind: 'index',
            ownerId: stored.ownerId,
            documentId: id,
          }),
        ]);
        await this.documents.insertOne(stored, { session });
      });
    } catch (error) {
      if (isDuplicateKey(error, '_id')) throw new DuplicateIdError(id);
      throw error;
    }
    return toDocument(stored);
  }

  async get(ownerId: string, id: string): Promise<DocumentRecord | null> {
    const document = await this.documents.findOne({ _id: id, ownerId });
    return document ? toDocument(document) : null;
  }

  async list(ownerId: string, page: DocumentPageRequest): Promise<DocumentPage> {
    const limit = clampPageSize(page.limit);
    const after = page.cursor ? decodePageCursor(page.cursor) : null;
    const filter: Filter<DocumentDocument> = after
      ? {
          ownerId,
          $or: [
            { createdAt: { $lt: new Date(after.atMs) } },
            { createdAt: new Date(after.atMs), _id: { $lt: after.id } },
          ],
        }
      : { ownerId };
    const rows = await this.documents
      .find(filter, { projection: METADATA_PROJECTION })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    return pageFromRows(rows, limit, toMetadata);
  }

  async update(
    ownerId: string,
    id: string,
    update: DocumentUpdate,
  ): Promise<DocumentMetadata | null> {
    const set: Partial<DocumentDocument> = {
      ...(update.title !== undefined && { title: update.title }),
      ...(update.summary !== undefined && { summary: update.summary }),
      ...(update.summaryDegraded !== undefined && { summaryDegraded: update.summaryDegraded }),
    };
    if (update.title !== undefined) {
      const renamed = await this.rename(ownerId, id, update.title, set);
      if (renamed) return toMetadata(renamed);
      // Missing, or already so named: writing the title again could undo a
      // rename committed meanwhile (whose index job has the newer title).
      delete set.title;
    }
    const document =
      Object.keys(set).length === 0
        ? await this.documents.findOne({ _id: id, ownerId }, { projection: METADATA_PROJECTION })
        : await this.documents.findOneAndUpdate(
            { _id: id, ownerId },
            { $set: set },
            { returnDocument: 'after', projection: METADATA_PROJECTION },
          );
    return document ? toMetadata(document) : null;
  }

  /**
   * Applies `set` to a document whose title is not `title` yet, together with
   * an index job (the graph names documents by title); null when there is no
   * such document, i.e. it is missing or keeps its title.
   */
  private rename(ownerId: string, id: string, title: string, set: Partial<DocumentDocument>) {
    return inMongoTransaction(this.client, async (session) => {
      const renamed = await this.documents.findOneAndUpdate(
        { _id: id, ownerId, title: { $ne: title } },
        { $set: { ...set, indexStatus: 'pending' } },
        { session, returnDocument: 'after', projection: METADATA_PROJECTION },
      );
      if (renamed) await queueIndexJob(this.db, session, this.clock(), ownerId, id);
      return renamed;
    });
  }

  async setIndexStatus(
    ownerId: string,
    id: string,
    status: IndexStatus,
    indexedTitle?: string,
  ): Promise<boolean> {
    const result = await this.documents.updateOne(
      { _id: id, ownerId, ...(indexedTitle === undefined ? {} : { title: indexedTitle }) },
      { $set: { indexStatus: status } },
    );
    return result.matchedCount > 0;
  }

  async delete(ownerId: string, id: string): Promise<DocumentMetadata | null> {
    return inMongoTransaction(this.client, async (session) => {
      const removed = await this.documents.findOneAndDelete(
        { _id: id, ownerId },
        { session, projection: METADATA_PROJECTION },
      );
      if (!removed) return null;
      await insertOutboxJobs(this.db, session, [
        newOutboxJobDocument(this.clock(), {
          kind: 'delete',
          ownerId,
          documentId: id,
          fileKey: removed.fileKey,
        }),
      ]);
      return toMetadata(removed);
    });
  }

  /**
   * In transactions of at most ERASURE_BATCH documents (review): one
   * transaction over an account's thousands of multi-megabyte documents
   * could outlast MongoDB's 60 s transaction limit and its cache, and fail
   * on every attempt. Each document still goes together with its delete job,
   * which is all the outbox needs; an erasure stopped half-way is run again.
   */
  async deleteAllForOwner(ownerId: string): Promise<DeletedDocuments> {
    let count = 0;
    const fileKeys: string[] = [];
    for (;;) {
      const batch = await this.deleteOwnerBatch(ownerId);
      if (batch.count === 0) return { count, fileKeys };
      count += batch.count;
      fileKeys.push(...batch.fileKeys);
    }
  }

  private deleteOwnerBatch(ownerId: string): Promise<DeletedDocuments> {
    return inMongoTransaction(this.client, async (session) => {
      const rows = await this.documents
        .find({ ownerId }, { session, projection: { _id: 1, fileKey: 1 }, limit: ERASURE_BATCH })
        .toArray();
      const now = this.clock();
      await insertOutboxJobs(
        this.db,
        session,
        rows.map((row) =>
          newOutboxJobDocument(now, {
            kind: 'delete',
            ownerId,
            documentId: row._id,
            fileKey: row.fileKey,
          }),
        ),
      );
      await this.documents.deleteMany(
        { ownerId, _id: { $in: rows.map((row) => row._id) } },
        { session },
      );
      return { count: rows.length, fileKeys: rows.map((row) => row.fileKey) };
    });
  }

  async count(ownerId: string): Promise<number> {
    return this.documents.countDocuments({ ownerId });
  }

  async titlesOf(ownerId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.documents
      .find({ _id: { $in: [...ids] }, ownerId }, { projection: { _id: 1, title: 1 } })
      .toArray();
    return new Map(rows.map((row) => [row._id, row.title]));
  }

  async searchTitles(
    ownerId: string,
    query: string,
    options: DocumentSearchOptions = {},
  ): Promise<DocumentSearchHit[]> {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const rows = await this.documents
      .find(
        { ownerId, $and: terms.map((_, index) => ({ title: wordPrefix(index, terms) })) },
        { projection: { _id: 1, title: 1 } },
      )
      .toArray();
    // Without a relevance engine for titles, the share of the title that the
    // query covers ranks "Budget" above "Budget review, appendix B".
    const matchedLength = terms.join('').length;
    return rows
      .map((row) => ({
        id: row._id,
        title: row.title,
        snippet: row.title,
        score: Math.min(1, matchedLength / Math.max(1, row.title.length)),
      }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, clampSearchLimit(options.limit));
  }

  async searchContent(
    ownerId: string,
    query: string,
    options: DocumentSearchOptions = {},
  ): Promise<DocumentSearchHit[]> {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const limit = clampSearchLimit(options.limit);
    // The regexes require every word, the last (and any longer than a letter)
    // as a word prefix, as the embedded store does.
    const everyWord = terms.map((_, index) => ({
      $or: [{ title: wordPrefix(index, terms) }, { text: wordPrefix(index, terms) }],
    }));
    // First the documents holding some query word whole: $text finds them
    // through the owner-prefixed text index and ranks them (it ORs the words,
    // and needs the ownerId equality).
    const ranked = await this.documents
      .find(
        { ownerId, $text: { $search: terms.join(' ') }, $and: everyWord },
        { projection: { _id: 1, title: 1, text: 1, score: { $meta: 'textScore' } } },
      )
      .sort({ score: { $meta: 'textScore' }, _id: 1 })
      .limit(limit)
      .toArray();
    const hits = ranked.map((row) => ({
      row,
      score: (row as unknown as { score: number }).score,
    }));
    // $text matches whole words only, so a document holding each word only as
    // the start of a longer one ("vitamin" in "vitamins", a last word still
    // being typed) was never found, where the embedded store finds it (found
    // in review). Such documents follow, newest first, below every ranked one.
    if (hits.length < limit) {
      const lowest = hits.at(-1)?.score ?? 1;
      const prefixOnly = await this.documents
        .find(
          { ownerId, _id: { $nin: hits.map(({ row }) => row._id) }, $and: everyWord },
          { projection: { _id: 1, title: 1, text: 1 } },
        )
        .sort({ createdAt: -1, _id: -1 })
        .limit(limit - hits.length)
        .toArray();
      prefixOnly.forEach((row, index) => hits.push({ row, score: lowest / (2 * (index + 1)) }));
    }
    const scanChars = snippetScanChars(hits.length);
    return hits.map(({ row, score }) => ({
      id: row._id,
      title: row.title,
      snippet: snippetAround(row.text, terms, scanChars),
      score,
    }));
  }

  async requeueIndexing(filter: { readonly ownerId?: string } = {}): Promise<number> {
    const rows = await this.documents
      .find(filter.ownerId === undefined ? {} : { ownerId: filter.ownerId }, {
        projection: { _id: 1, ownerId: 1 },
      })
      .toArray();
    // One small transaction per document: re-indexing everything must not
    // become one huge transaction, and each pending status still has its job.
    for (const row of rows) {
      await inMongoTransaction(this.client, async (session) => {
        await this.documents.updateOne(
          { _id: row._id },
          { $set: { indexStatus: 'pending' } },
          { session },
        );
        await queueIndexJob(this.db, session, this.clock(), row.ownerId, row._id);
      });
    }
    return rows.length;
  }

  health(): Promise<HealthReport> {
    return probeHealth('mongodb', () => this.db.command({ ping: 1 }));
  }
}
