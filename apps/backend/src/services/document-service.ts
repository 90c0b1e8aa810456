import { randomUUID } from 'node:crypto';
import { wellFormedText } from '@docuthinker/contracts';
import {
  DOCUMENT_MIME_TYPES,
  type DocumentExtractor,
  type DocumentFileType,
} from '@docuthinker/documents';
import type { Logger } from '@docuthinker/runtime';
import {
  documentFileKey,
  putDeadlineMs,
  type DocumentMetadata,
  type DocumentPage,
  type DocumentRecord,
  type DocumentSearchHit,
  type Stores,
} from '@docuthinker/stores';
import type { GatewayCallContext, GatewayClient } from '../gateway/gateway-client';
import {
  CallerLeftError,
  GatewayRejectedError,
  GatewayUnavailableError,
} from '../gateway/gateway-errors';
import type { DocumentCache } from './document-cache';
import { extractiveSummary } from './extractive-summary';
import { confirmOwnerStillExists } from './owner-presence';
import { AccountGoneError, FileStoreUnavailableError, NotFoundError } from './service-errors';

export interface UploadInput {
  bytes: Buffer;
  filename?: string;
  declaredType?: string;
  title?: string;
  /** Sent as text (JSON `{title, text}`), not as a file: stored as plain text. */
  plainText?: boolean;
}

export type SearchMode = 'title' | 'content' | 'semantic';

export interface SearchResult {
  items: DocumentSearchHit[];
  mode: SearchMode;
  degraded: boolean;
}

export type DocumentFile =
  | { kind: 'redirect'; url: string }
  | { kind: 'bytes'; body: NodeJS.ReadableStream; size: number; contentType: string; name: string };

export type DocumentStores = Pick<Stores, 'documents' | 'files' | 'chatSessions' | 'users'>;

export interface DocumentServiceOptions {
  maxUploadBytes: number;
  /** Runs the parsers off the event loop, with a time bound (an `ExtractionPool`). */
  extractor: Pick<DocumentExtractor, 'extract'>;
  /** Told when new index or delete jobs are waiting, so the worker need not wait for its next poll. */
  onOutboxWork: () => void;
  /**
   * Told, at warn, when the file of an upload the store did not take could
   * not be removed. Optional so that the service's other users need not pass
   * one; without it those failures go unreported.
   */
  logger?: Pick<Logger, 'warn'>;
  /** When a failed put's file is removed once more; lateWriteCleanupDelayMs unless a test asks. */
  lateWriteCleanupDelayMs?: number;
}

const SIGNED_URL_SECONDS = 5 * 60;

/**
 * The largest formatted copy (a DOCX's HTML) kept next to the text. MongoDB
 * stores a document in at most 16 MiB, and the text alone may take 6 MB
 * (2,000,000 characters of CJK): found in review, a table-heavy or CJK DOCX
 * near the text limit made an HTML that took the record past it, and the
 * upload was a 500. Above this the document keeps its text and original file
 * only, as a PDF does.
 */
export const MAX_STORED_HTML_BYTES = 8 * 1024 * 1024;

/** The HTML to store with a document, if any and not too large. */
function storableHtml(html: string | undefined): { html: string } | Record<string, never> {
  if (html === undefined || Buffer.byteLength(html) > MAX_STORED_HTML_BYTES) return {};
  return { html };
}

/**
 * A put the file store gave up on can still be stored after the removal that
 * followed it: a hung S3 may finish a write it received before the put's
 * deadline (putDeadlineMs in @docuthinker/stores) later, and a file no
 * document points to is then never removed. The file is removed once more
 * after as long again as the put was given, plus this margin: a write still
 * in flight has had twice its time by then; one S3 finishes later still
 * stays behind.
 */
const LATE_WRITE_MARGIN_MS = 5_000;

/** When the file of a put of `bytes` bytes that failed is removed once more. */
export function lateWriteCleanupDelayMs(bytes: number): number {
  return putDeadlineMs(bytes) + LATE_WRITE_MARGIN_MS;
}

const UPLOAD_ABANDONED = 'the client left before its upload was answered; nothing was kept';

/** Uploads, reads and removes documents; every call is scoped to one owner. */
export class DocumentService {
  constructor(
    private readonly stores: DocumentStores,
    private readonly cache: DocumentCache,
    private readonly gateway: GatewayClient,
    private readonly options: DocumentServiceOptions,
  ) {}

  /**
   * Extracts first, so a file that cannot become a document leaves nothing
   * behind; then stores the bytes and saves the document with its index job,
   * and removes them again if the account was erased meanwhile, or the
   * client left (`clientLeft`) before it could be told the document's id.
   */
  async upload(
    ownerId: string,
    input: UploadInput,
    clientLeft?: AbortSignal,
  ): Promise<DocumentRecord> {
    const extracted = await this.options.extractor.extract(
      {
        bytes: input.bytes,
        ...(input.filename === undefined ? {} : { filename: input.filename }),
        ...(input.declaredType === undefined ? {} : { declaredType: input.declaredType }),
        ...(input.plainText ? { plainText: true } : {}),
      },
      { maxBytes: this.options.maxUploadBytes },
    );
    // Gone while the file was extracted: nothing is stored for a client that
    // cannot be told the document's id, and whose retry would store a second.
    if (clientLeft?.aborted) throw new CallerLeftError(UPLOAD_ABANDONED);
    // As every store keeps it, whatever control bytes a file carried (see wellFormedText).
    const text = wellFormedText(extracted.text);
    const id = randomUUID();
    const fileKey = documentFileKey(ownerId, id, extracted.fileType);
    try {
      await this.stores.files.put(fileKey, input.bytes, { contentType: extracted.mimeType });
    } catch (error) {
      // A write that failed late may have stored the file all the same.
      this.removeFailedWrite(fileKey, input.bytes.length);
      throw new FileStoreUnavailableError('write', error);
    }
    let record: DocumentRecord;
    try {
      record = await this.stores.documents.create({
        id,
        ownerId,
        title: input.title ?? extracted.title,
        fileType: extracted.fileType,
        size: extracted.size,
        ...(extracted.pages === undefined ? {} : { pages: extracted.pages }),
        contentHash: extracted.contentHash,
        text,
        ...storableHtml(extracted.html),
        summary: extractiveSummary(text),
        summaryDegraded: true,
        fileKey,
      });
    } catch (error) {
      await this.stores.files.delete(fileKey).catch(() => undefined);
      throw error;
    }
    try {
      await confirmOwnerStillExists(this.stores, ownerId);
      // Gone while it was stored (found in an exploratory test: abandoned
      // uploads were kept, and their retries stored copies).
      if (clientLeft?.aborted) throw new CallerLeftError(UPLOAD_ABANDONED);
    } catch (error) {
      // The check itself failed (an outage), or the client left, after the
      // document was saved: the client sends the upload again, so this copy
      // is taken back out (its delete job removes the file), or the retry
      // would store a second one (found in review). AccountGoneError has
      // removed it already.
      if (!(error instanceof AccountGoneError)) {
        await this.stores.documents.delete(ownerId, id).catch((undoError: unknown) => {
          this.options.logger?.warn(
            { err: undoError, documentId: id },
            'an upload answered as failed could not be taken back out: a retry stores a second copy',
          );
        });
      }
      throw error;
    } finally {
      // Outbox work either way: the new document's index job, or its delete job.
      await this.cache.forgetOwner(ownerId);
      this.options.onOutboxWork();
    }
    return record;
  }

  /**
   * Removes the file of a put that failed, at once and again after
   * lateWriteCleanupDelayMs, in the background: the store that failed the
   * put is likely to hang the removal as long, and the user is told at once
   * that nothing was stored. The timer is unref'd so that it never keeps a
   * stopping service alive; a file it then misses stays behind, as before.
   */
  private removeFailedWrite(fileKey: string, bytes: number): void {
    const remove = (attempt: 'first' | 'late-write') =>
      this.stores.files.delete(fileKey).catch((error: unknown) => {
        this.options.logger?.warn(
          { fileKey, attempt, error: (error as Error)?.message ?? String(error) },
          'file of an upload the store did not take was not removed',
        );
      });
    void remove('first');
    setTimeout(
      () => void remove('late-write'),
      this.options.lateWriteCleanupDelayMs ?? lateWriteCleanupDelayMs(bytes),
    ).unref();
  }

  /** The rendered listing page if the cache holds it; never reads the store. */
  cachedListing(
    ownerId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<string | undefined> {
    return this.cache.getRenderedPage(ownerId, limit, cursor);
  }

  /**
   * A page of the owner's documents as `render` turns it into a response
   * body; the rendered body is what is cached, so a cache hit costs no
   * rendering at all.
   */
  async listRendered(
    ownerId: string,
    limit: number,
    cursor: string | undefined,
    render: (page: DocumentPage) => string,
  ): Promise<string> {
    return this.cache.renderedPage(ownerId, limit, cursor, async () =>
      render(await this.stores.documents.list(ownerId, { limit, cursor: cursor ?? null })),
    );
  }

  async get(ownerId: string, id: string): Promise<DocumentRecord> {
    const document = await this.stores.documents.get(ownerId, id);
    if (!document) throw new NotFoundError('document');
    return document;
  }

  async file(ownerId: string, id: string): Promise<DocumentFile> {
    const document = await this.get(ownerId, id);
    const contentType =
      DOCUMENT_MIME_TYPES[document.fileType as DocumentFileType] ?? 'application/octet-stream';
    const name = `${document.title}.${document.fileType}`;
    const url = await this.stores.files.signedDownloadUrl(document.fileKey, {
      expiresInSeconds: SIGNED_URL_SECONDS,
      contentType,
      downloadName: name,
    });
    if (url) return { kind: 'redirect', url };
    // A store that fails (a disk error, S3 down) is an outage, 503, not the server's 500.
    const stored = await this.stores.files.get(document.fileKey).catch((error: unknown) => {
      throw new FileStoreUnavailableError('read', error);
    });
    if (!stored) throw new NotFoundError('document');
    return { kind: 'bytes', body: stored.body, size: stored.size, contentType, name };
  }

  /** A new title is re-indexed: the gateway's graph names documents by title. */
  async rename(ownerId: string, id: string, title: string): Promise<DocumentMetadata> {
    const updated = await this.stores.documents.update(ownerId, id, { title });
    if (!updated) throw new NotFoundError('document');
    await this.cache.forgetOwner(ownerId);
    if (updated.indexStatus === 'pending') this.options.onOutboxWork();
    return updated;
  }

  /**
   * The delete job written with the removal takes the file, index entries
   * and conversations about the document away. The conversations are removed
   * here too, so that they go at once; when that fails, the document is gone
   * all the same and the job removes them (retried until it does), so the
   * delete is not answered as failed: a retry would find no document (404).
   */
  async delete(ownerId: string, id: string): Promise<void> {
    const deleted = await this.stores.documents.delete(ownerId, id);
    if (!deleted) throw new NotFoundError('document');
    try {
      await this.stores.chatSessions.deleteForDocument({ ownerId, documentId: id });
    } catch (error) {
      this.options.logger?.warn(
        { err: error, documentId: id },
        "the deleted document's conversations were not removed yet; its delete job removes them",
      );
    }
    await this.cache.forgetOwner(ownerId);
    this.options.onOutboxWork();
  }

  async deleteAll(ownerId: string): Promise<void> {
    await this.stores.documents.deleteAllForOwner(ownerId);
    await this.stores.chatSessions.deleteAllForOwner(ownerId);
    await this.cache.forgetOwner(ownerId);
    this.options.onOutboxWork();
  }

  async search(
    ownerId: string,
    query: string,
    mode: SearchMode,
    limit: number,
    context?: GatewayCallContext,
  ): Promise<SearchResult> {
    if (mode === 'title') {
      const items = await this.stores.documents.searchTitles(ownerId, query, { limit });
      return { items, mode, degraded: false };
    }
    if (mode === 'semantic') {
      try {
        return {
          items: await this.semanticSearch(ownerId, query, limit, context),
          mode,
          degraded: false,
        };
      } catch (error) {
        // An outage, or a deployment without a vector index, falls back. A
        // query the gateway refuses would be refused again: answered as
        // content search, the refusal was hidden and spent an AI call each time.
        const unavailable =
          error instanceof GatewayUnavailableError ||
          (error instanceof GatewayRejectedError && error.code === 'DT_ERR_INDEX_DISABLED');
        if (!unavailable) throw error;
      }
    }
    const items = await this.stores.documents.searchContent(ownerId, query, { limit });
    return { items, mode: 'content', degraded: mode === 'semantic' };
  }

  /**
   * Best chunk per document. Titles come from the store in one owner-scoped
   * read, which also re-checks ownership: a hit on a document that is not the
   * owner's, or no longer exists, is dropped.
   */
  private async semanticSearch(
    ownerId: string,
    query: string,
    limit: number,
    context: GatewayCallContext | undefined,
  ): Promise<DocumentSearchHit[]> {
    const { hits } = await this.gateway.search(
      { ownerId, query, k: Math.min(limit * 3, 50) },
      context,
    );
    const best = new Map<string, { snippet: string; score: number }>();
    for (const hit of hits) {
      const known = best.get(hit.documentId);
      if (!known || hit.score > known.score)
        best.set(hit.documentId, { snippet: hit.text, score: hit.score });
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score);
    // Titles for every candidate (at most k) in the one read, so that dropped
    // hits leave their places to the next ones instead of shortening the page.
    const titles = await this.stores.documents.titlesOf(
      ownerId,
      ranked.map(([documentId]) => documentId),
    );
    return ranked
      .flatMap(([documentId, { snippet, score }]) => {
        const title = titles.get(documentId);
        return title === undefined ? [] : [{ id: documentId, title, snippet, score }];
      })
      .slice(0, limit);
  }
}
