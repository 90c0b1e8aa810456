import { setImmediate as nextTurn } from 'node:timers/promises';
import { databaseDiskSpaceCheck, type DiskSpaceCheck } from '@docuthinker/runtime';
import { EmbeddingMismatchError } from '../errors';
import { openLibsql, placeholders, vectorBlob, type LibsqlDatabase } from '../store/open-libsql';
import { isZeroVector } from './hashing-embedder';
import { OwnerSearchIndex, type RankedRow } from './owner-search-index';
import {
  assertOwner,
  type ChunkHit,
  type ChunkQuery,
  type IndexedChunk,
  type ReplaceResult,
  type VectorIndex,
} from './vector-index';

export interface LibsqlVectorIndexOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  readonly embedding: { readonly model: string; readonly dimensions: number };
  /**
   * Chunks kept in memory for search, across owners (least recently searched
   * owners go first); at least 1.6 KB each at 384 dimensions (the vector; the
   * word index adds several times that for small chunks). Each owner is
   * charged for the rows it holds memory for (tombstones and room to grow
   * included), not only for its live chunks. One owner is always kept,
   * whatever its size.
   */
  readonly memoryBudgetChunks?: number;
  /** Chunks an owner's first search reads from the file per turn of the event loop. */
  readonly loadBatchChunks?: number;
  /** Below this much free space on the file's disk, ping (readiness) fails. */
  readonly minFreeDiskBytes?: number;
}

const DEFAULT_MEMORY_BUDGET_CHUNKS = 250_000;

/** About 20 ms per turn at the rate review measured (44,500 chunks in 3.5 s; see load). */
const LOAD_BATCH_CHUNKS = 250;

interface VectorRow {
  chunk_id: string;
  document_id: string;
  embedding: ArrayBuffer | Uint8Array;
  text: StoredText;
}

/** An owner's index being read from the file; the owner's searches meanwhile wait for it. */
interface OwnerLoad {
  readonly index: OwnerSearchIndex;
  /** Documents written or erased since the load began: read again before the index is used. */
  readonly touched: Set<string>;
  done?: Promise<OwnerSearchIndex>;
}

interface ChunkRow {
  chunk_id: string;
  document_id: string;
  ordinal: number;
  text: StoredText;
  /** Null in rows written before titles were kept. */
  title: StoredText | null;
}

/** A chunk's text as a column holds it: text, or UTF-8 bytes (see storedText). */
type StoredText = string | ArrayBuffer | Uint8Array;

/**
 * A chunk's text as it is stored. libSQL hands text to SQLite as a C string,
 * which ends at the first NUL: "a\u0000b" would be stored as "a", and reading
 * back a text value that holds NUL aborts the process. Such text is stored as
 * its UTF-8 bytes (SQLite keeps a blob as it is, whatever the column's type),
 * so the index returns exactly the text it was given, as Chroma does.
 */
function storedText(text: string): string | Buffer {
  return text.includes('\u0000') ? Buffer.from(text, 'utf8') : text;
}

function textOf(stored: StoredText): string {
  if (typeof stored === 'string') return stored;
  const bytes = ArrayBuffer.isView(stored)
    ? Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
    : Buffer.from(stored);
  return bytes.toString('utf8');
}

const TABLES = ['chunks', 'chunk_vectors'] as const;

/** About how many chunks one transaction of an owner's erasure removes (see removeOwner). */
export const PURGE_BATCH_CHUNKS = 500;

/**
 * Embedded vector index on a libSQL file. The file is the durable copy
 * (chunks, and vectors in an `F32_BLOB` column); searches run on an
 * in-memory index per owner (`OwnerSearchIndex`), loaded from the file on
 * the owner's first search and kept in step by every write. At 50k chunks a
 * brute-force `vector_distance_cos` scan took ~65 ms on a quiet machine and
 * FTS5's bm25() ranking 25–120 ms; the DiskANN index makes inserts two orders
 * of magnitude slower. This process is the file's only writer (one writer
 * per Chroma directory), so the memory copy cannot go stale.
 */
export class LibsqlVectorIndex implements VectorIndex {
  readonly kind = 'libsql' as const;
  private readonly owners = new Map<string, OwnerSearchIndex>();
  private readonly loads = new Map<string, OwnerLoad>();

  private constructor(
    private readonly db: LibsqlDatabase,
    private readonly dimensions: number,
    private readonly memoryBudgetChunks: number,
    private readonly loadBatchChunks: number,
    private readonly checkDiskSpace: DiskSpaceCheck,
  ) {}

  static open(options: LibsqlVectorIndexOptions): LibsqlVectorIndex {
    const { model, dimensions } = options.embedding;
    const db = openLibsql(options.path);
    db.exec(`
      CREATE TABLE IF NOT EXISTS vector_index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS chunks (
        owner_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        title TEXT,
        PRIMARY KEY (owner_id, chunk_id)
      );
      CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks (owner_id, document_id);
      -- Vectors live in a narrow table of their own: the brute-force scan then
      -- reads far fewer pages than it would with the text alongside.
      CREATE TABLE IF NOT EXISTS chunk_vectors (
        owner_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        embedding F32_BLOB(${dimensions}) NOT NULL,
        PRIMARY KEY (owner_id, chunk_id)
      );
      CREATE INDEX IF NOT EXISTS chunk_vectors_by_document ON chunk_vectors (owner_id, document_id);
      -- Lexical search moved to memory; files written before keep no dead table.
      DROP TABLE IF EXISTS chunk_terms;
    `);
    addChunkTitles(db);
    const recorded = Object.fromEntries(
      (
        db.prepare('SELECT key, value FROM vector_index_meta').all() as Array<{
          key: string;
          value: string;
        }>
      ).map((row) => [row.key, row.value]),
    );
    if (recorded['model'] === undefined) {
      const insert = db.prepare('INSERT INTO vector_index_meta (key, value) VALUES (?, ?)');
      insert.run('model', model);
      insert.run('dimensions', String(dimensions));
    } else if (recorded['model'] !== model || Number(recorded['dimensions']) !== dimensions) {
      db.close();
      throw new EmbeddingMismatchError(
        `the embedded vector index at ${options.path}`,
        { model: recorded['model'], dimensions: Number(recorded['dimensions']) },
        { model, dimensions },
      );
    }
    return new LibsqlVectorIndex(
      db,
      dimensions,
      options.memoryBudgetChunks ?? DEFAULT_MEMORY_BUDGET_CHUNKS,
      Math.max(1, options.loadBatchChunks ?? LOAD_BATCH_CHUNKS),
      databaseDiskSpaceCheck(options.path, options.minFreeDiskBytes),
    );
  }

  async replaceDocument(
    ownerId: string,
    documentId: string,
    chunks: readonly IndexedChunk[],
  ): Promise<ReplaceResult> {
    assertOwner(ownerId);
    for (const chunk of chunks) {
      if (chunk.documentId !== documentId)
        throw new Error(`chunk ${chunk.chunkId} belongs to another document`);
      this.assertDimensions(chunk.embedding, `chunk ${chunk.chunkId}`);
    }
    const existingIds = this.db
      .prepare('SELECT chunk_id FROM chunks WHERE owner_id = ? AND document_id = ?')
      .pluck();
    const insertChunk = this.db.prepare(
      'INSERT INTO chunks (owner_id, chunk_id, document_id, ordinal, text, title) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertVector = this.db.prepare(
      'INSERT INTO chunk_vectors (owner_id, chunk_id, document_id, embedding) VALUES (?, ?, ?, ?)',
    );
    const newIds = new Set(chunks.map((chunk) => chunk.chunkId));
    // Delete-and-insert in one transaction: readers see the old or the new
    // chunks, never both, and re-indexing the same text is a no-op in effect.
    const replace = this.db.transaction(() => {
      const stale = (existingIds.all(ownerId, documentId) as string[]).filter(
        (id) => !newIds.has(id),
      ).length;
      this.deleteDocumentRows(ownerId, documentId);
      for (const chunk of chunks) {
        insertChunk.run(
          ownerId,
          chunk.chunkId,
          documentId,
          chunk.ordinal,
          storedText(chunk.text),
          chunk.title === undefined ? null : storedText(chunk.title),
        );
        insertVector.run(ownerId, chunk.chunkId, documentId, vectorBlob(chunk.embedding));
      }
      return stale;
    });
    const removed = replace() as number;
    this.loads.get(ownerId)?.touched.add(documentId);
    const cached = this.owners.get(ownerId);
    if (cached) {
      cached.removeDocument(documentId);
      this.dropIfWasteful(ownerId, cached);
      await this.addToMemory(ownerId, cached, chunks);
    }
    return { upserted: chunks.length, removed };
  }

  /**
   * Adds a written document's chunks to the owner's index in memory, a load
   * batch per turn of the event loop, as a first search loads it: all at once,
   * a 2 MB text's thousands of chunks held every request of the gateway, its
   * health checks included, for 1.5 to 2.5 s (exploratory test). Searches in
   * between miss the chunks not added yet, as they missed the document while
   * it was written. An index no longer the owner's (evicted, erased, or
   * reloaded from the file, which holds these chunks) is left as it is.
   */
  private async addToMemory(
    ownerId: string,
    index: OwnerSearchIndex,
    chunks: readonly IndexedChunk[],
  ): Promise<void> {
    for (let start = 0; start < chunks.length; start += this.loadBatchChunks) {
      if (start > 0) await nextTurn();
      if (this.owners.get(ownerId) !== index) return;
      for (const chunk of chunks.slice(start, start + this.loadBatchChunks))
        index.add(chunk.chunkId, chunk.documentId, chunk.embedding, chunk.text);
    }
    // Writes grow an owner already in memory: the budget holds for them too.
    this.keepWithinBudget(ownerId);
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removed: number }> {
    assertOwner(ownerId);
    const remove = this.db.transaction(() => this.deleteDocumentRows(ownerId, documentId));
    const removed = remove() as number;
    const cached = this.owners.get(ownerId);
    if (cached) {
      cached.removeDocument(documentId);
      this.dropIfWasteful(ownerId, cached);
    }
    this.loads.get(ownerId)?.touched.add(documentId);
    return { removed };
  }

  /**
   * Erases the owner a batch of whole documents at a time (about
   * PURGE_BATCH_CHUNKS chunks), one transaction each, giving the event loop
   * a turn in between: one transaction over a large owner blocked the
   * gateway (50,000 chunks took about 0.4 s). A purge cut short is retried by
   * the backend's outbox and carries on; each document goes whole or not at
   * all, so a search meanwhile never sees a chunk without its vector.
   */
  async removeOwner(ownerId: string): Promise<{ removed: number; documents: number }> {
    assertOwner(ownerId);
    // The documents of the owner's next chunks, in document order: the last
    // of them may reach past the batch, by at most one document's chunks.
    const nextDocuments = this.db
      .prepare(
        `SELECT DISTINCT document_id FROM (
           SELECT document_id FROM chunks INDEXED BY chunks_by_document
            WHERE owner_id = ? ORDER BY document_id LIMIT ?)`,
      )
      .pluck();
    const removeBatch = this.db.transaction(() => {
      const documentIds = nextDocuments.all(ownerId, PURGE_BATCH_CHUNKS) as string[];
      let chunks = 0;
      for (const documentId of documentIds) chunks += this.deleteDocumentRows(ownerId, documentId);
      return { documentIds, chunks };
    });
    let removed = 0;
    let documents = 0;
    for (;;) {
      const batch = removeBatch() as { documentIds: string[]; chunks: number };
      // Tombstoning every row would keep the memory until the next reload; the
      // owner's next search loads what is left (nothing, at the end) instead.
      this.owners.delete(ownerId);
      const load = this.loads.get(ownerId);
      for (const documentId of batch.documentIds) load?.touched.add(documentId);
      if (batch.documentIds.length === 0) break;
      removed += batch.chunks;
      documents += batch.documentIds.length;
      await nextTurn();
    }
    return { removed, documents };
  }

  async queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    this.assertDimensions(vector, 'the query vector');
    if (isZeroVector(vector) || query.k <= 0 || query.documentIds?.length === 0) return [];
    const index = await this.ownerIndex(query.ownerId);
    if (!index) return [];
    const ranked = index.searchVector(
      vector,
      query.k,
      query.documentIds ? new Set(query.documentIds) : undefined,
    );
    return this.hits(query.ownerId, ranked);
  }

  async queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    if (query.k <= 0 || query.documentIds?.length === 0) return [];
    const index = await this.ownerIndex(query.ownerId);
    if (!index) return [];
    const ranked = index.searchLexical(
      text,
      query.k,
      query.documentIds ? new Set(query.documentIds) : undefined,
    );
    return this.hits(query.ownerId, ranked);
  }

  async countChunks(ownerId: string, documentId?: string): Promise<number> {
    assertOwner(ownerId);
    const row = (
      documentId === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM chunks WHERE owner_id = ?').get(ownerId)
        : this.db
            .prepare('SELECT COUNT(*) AS n FROM chunks WHERE owner_id = ? AND document_id = ?')
            .get(ownerId, documentId)
    ) as { n: number };
    return row.n;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    await this.checkDiskSpace();
  }

  async close(): Promise<void> {
    this.owners.clear();
    this.loads.clear();
    if (this.db.open) this.db.close();
  }

  /**
   * The owner's in-memory index, loaded from the file on first use (most
   * recently used last); none for an owner without chunks, which would
   * otherwise keep an index for every owner ever searched. Concurrent first
   * searches share one load.
   */
  private async ownerIndex(ownerId: string): Promise<OwnerSearchIndex | undefined> {
    const cached = this.owners.get(ownerId);
    if (cached) {
      this.owners.delete(ownerId);
      this.owners.set(ownerId, cached);
      return cached;
    }
    const pending = this.loads.get(ownerId);
    if (pending) return pending.done;
    const rows = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM chunk_vectors WHERE owner_id = ?')
        .get(ownerId) as { n: number }
    ).n;
    if (rows === 0) return undefined;
    // Sized to the owner: a fixed first allocation made every small owner as costly as 256 chunks.
    const load: OwnerLoad = {
      index: new OwnerSearchIndex(this.dimensions, rows),
      touched: new Set(),
    };
    this.loads.set(ownerId, load);
    load.done = this.load(ownerId, load);
    return load.done;
  }

  /**
   * Reads the owner's chunks a batch at a time, in chunk id order, giving the
   * event loop a turn in between: one loop over a large owner blocked the
   * gateway (44,500 chunks stalled every other request for 3.5 s). Documents
   * written or erased meanwhile may have been read in part, before or after
   * the change: they are read again, whole, at the end, in the same turn as
   * the index is first used.
   */
  private async load(ownerId: string, load: OwnerLoad): Promise<OwnerSearchIndex> {
    const select = `SELECT v.chunk_id, v.document_id, v.embedding, c.text
      FROM chunk_vectors v JOIN chunks c ON c.owner_id = v.owner_id AND c.chunk_id = v.chunk_id`;
    const first = this.db.prepare(`${select} WHERE v.owner_id = ? ORDER BY v.chunk_id LIMIT ?`);
    const next = this.db.prepare(
      `${select} WHERE v.owner_id = ? AND v.chunk_id > ? ORDER BY v.chunk_id LIMIT ?`,
    );
    const ofDocument = this.db.prepare(`${select} WHERE v.owner_id = ? AND v.document_id = ?`);
    const { index, touched } = load;
    const add = (row: VectorRow) =>
      index.add(row.chunk_id, row.document_id, blobToVector(row.embedding), textOf(row.text));
    try {
      let last: string | undefined;
      for (;;) {
        const batch = (
          last === undefined
            ? first.all(ownerId, this.loadBatchChunks)
            : next.all(ownerId, last, this.loadBatchChunks)
        ) as VectorRow[];
        for (const row of batch) add(row);
        if (batch.length < this.loadBatchChunks) break;
        last = batch[batch.length - 1]?.chunk_id;
        await nextTurn();
      }
      for (const documentId of touched) {
        index.removeDocument(documentId);
        for (const row of ofDocument.all(ownerId, documentId) as VectorRow[]) add(row);
      }
      touched.clear();
    } finally {
      if (this.loads.get(ownerId) === load) this.loads.delete(ownerId);
    }
    if (index.size > 0) {
      this.owners.set(ownerId, index);
      this.keepWithinBudget(ownerId);
    }
    return index;
  }

  /** Chunks held in memory for search, across owners. */
  get chunksInMemory(): number {
    let chunks = 0;
    for (const owner of this.owners.values()) chunks += owner.size;
    return chunks;
  }

  /** Rows the memory budget charges: what every owner in memory, or being loaded, holds memory for. */
  get rowsInMemory(): number {
    let rows = 0;
    for (const owner of this.owners.values()) rows += owner.allocatedRows;
    for (const { index } of this.loads.values()) rows += index.allocatedRows;
    return rows;
  }

  /** Owners whose index is in memory. */
  get ownersInMemory(): number {
    return this.owners.size;
  }

  /**
   * Evicts the least recently searched owners, never `keep`, until the budget
   * holds. Owners being loaded count but are not in `owners`, so they stay.
   */
  private keepWithinBudget(keep: string): void {
    let charged = this.rowsInMemory;
    for (const [owner, evicted] of this.owners) {
      if (charged <= this.memoryBudgetChunks) break;
      if (owner === keep) continue;
      this.owners.delete(owner);
      charged -= evicted.allocatedRows;
    }
  }

  /** Past half tombstones, a reload from the file is smaller and faster to search. */
  private dropIfWasteful(ownerId: string, index: OwnerSearchIndex): void {
    if (index.tombstones > 1000 && index.tombstones > index.size) this.owners.delete(ownerId);
  }

  /** Texts of the ranked chunks, in rank order. */
  private hits(ownerId: string, ranked: readonly RankedRow[]): ChunkHit[] {
    if (ranked.length === 0) return [];
    const chunks = new Map(
      (
        this.db
          .prepare(
            `SELECT chunk_id, document_id, ordinal, text, title FROM chunks
             WHERE owner_id = ? AND chunk_id IN (${placeholders(ranked.length)})`,
          )
          .all(ownerId, ...ranked.map((row) => row.chunkId)) as ChunkRow[]
      ).map((row) => [row.chunk_id, row]),
    );
    return ranked.flatMap((row) => {
      const chunk = chunks.get(row.chunkId);
      return chunk ? [toHit(chunk, row.score)] : [];
    });
  }

  private assertDimensions(vector: Float32Array, what: string): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(`${what} has ${vector.length} dimensions, the index ${this.dimensions}`);
    }
  }

  /** Deletes the document's rows from every table; returns how many chunks it had. */
  private deleteDocumentRows(ownerId: string, documentId: string): number {
    let removed = 0;
    for (const table of TABLES) {
      const changes = this.db
        .prepare(`DELETE FROM ${table} WHERE owner_id = ? AND document_id = ?`)
        .run(ownerId, documentId).changes;
      if (table === 'chunks') removed = changes;
    }
    return removed;
  }
}

/**
 * libSQL hands a blob over as an ArrayBuffer from `iterate()` and as a Buffer
 * from `all()`; a Buffer's bytes need not be 4-byte aligned, so it is copied.
 */
function blobToVector(blob: ArrayBuffer | Uint8Array): Float32Array {
  if (!ArrayBuffer.isView(blob)) return new Float32Array(blob);
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

function toHit(row: ChunkRow, score: number): ChunkHit {
  return {
    documentId: row.document_id,
    chunkId: row.chunk_id,
    ordinal: row.ordinal,
    text: textOf(row.text),
    ...(row.title === null ? {} : { title: textOf(row.title) }),
    score: Number(score.toFixed(6)),
  };
}

/**
 * Files written before chunks kept their document's title have no such
 * column: it is added, null for the old rows, which a re-index fills. Read
 * and added under the write lock, so two processes opening an old file at
 * once do not both add it.
 */
function addChunkTitles(db: LibsqlDatabase): void {
  const migrate = db.transaction(() => {
    const columns = (db.prepare('PRAGMA table_info(chunks)').all() as Array<{ name: string }>).map(
      (column) => column.name,
    );
    if (!columns.includes('title')) db.exec('ALTER TABLE chunks ADD COLUMN title TEXT');
  });
  migrate.immediate();
}
