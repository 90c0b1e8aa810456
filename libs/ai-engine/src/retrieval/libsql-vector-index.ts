import { setImmediate as nextTurn } from 'node:timers/promises';
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
   * owners go first); about 1.6 KB each at 384 dimensions. One owner is
   * always kept, whatever its size.
   */
  readonly memoryBudgetChunks?: number;
}

const DEFAULT_MEMORY_BUDGET_CHUNKS = 250_000;

interface ChunkRow {
  chunk_id: string;
  document_id: string;
  ordinal: number;
  text: StoredText;
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

  private constructor(
    private readonly db: LibsqlDatabase,
    private readonly dimensions: number,
    private readonly memoryBudgetChunks: number,
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
      'INSERT INTO chunks (owner_id, chunk_id, document_id, ordinal, text) VALUES (?, ?, ?, ?, ?)',
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
        insertChunk.run(ownerId, chunk.chunkId, documentId, chunk.ordinal, storedText(chunk.text));
        insertVector.run(ownerId, chunk.chunkId, documentId, vectorBlob(chunk.embedding));
      }
      return stale;
    });
    const removed = replace() as number;
    const cached = this.owners.get(ownerId);
    if (cached) {
      cached.removeDocument(documentId);
      for (const chunk of chunks)
        cached.add(chunk.chunkId, documentId, chunk.embedding, chunk.text);
      this.dropIfWasteful(ownerId, cached);
      // Writes grow an owner already in memory: the budget holds for them too.
      this.keepWithinBudget(ownerId);
    }
    return { upserted: chunks.length, removed };
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
      return { documents: documentIds.length, chunks };
    });
    let removed = 0;
    let documents = 0;
    for (;;) {
      const batch = removeBatch() as { documents: number; chunks: number };
      // Tombstoning every row would keep the memory until the next reload; the
      // owner's next search loads what is left (nothing, at the end) instead.
      this.owners.delete(ownerId);
      if (batch.documents === 0) break;
      removed += batch.chunks;
      documents += batch.documents;
      await nextTurn();
    }
    return { removed, documents };
  }

  async queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    this.assertDimensions(vector, 'the query vector');
    if (isZeroVector(vector) || query.k <= 0 || query.documentIds?.length === 0) return [];
    const ranked = this.ownerIndex(query.ownerId).searchVector(
      vector,
      query.k,
      query.documentIds ? new Set(query.documentIds) : undefined,
    );
    return this.hits(query.ownerId, ranked);
  }

  async queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    if (query.k <= 0 || query.documentIds?.length === 0) return [];
    const ranked = this.ownerIndex(query.ownerId).searchLexical(
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
  }

  async close(): Promise<void> {
    this.owners.clear();
    if (this.db.open) this.db.close();
  }

  /** The owner's in-memory index, loaded from the file on first use (most recently used last). */
  private ownerIndex(ownerId: string): OwnerSearchIndex {
    const cached = this.owners.get(ownerId);
    if (cached) {
      this.owners.delete(ownerId);
      this.owners.set(ownerId, cached);
      return cached;
    }
    const index = new OwnerSearchIndex(this.dimensions);
    const rows = this.db
      .prepare(
        `SELECT v.chunk_id, v.document_id, v.embedding, c.text
         FROM chunk_vectors v JOIN chunks c ON c.owner_id = v.owner_id AND c.chunk_id = v.chunk_id
         WHERE v.owner_id = ? ORDER BY v.document_id, c.ordinal`,
      )
      .iterate(ownerId) as IterableIterator<{
      chunk_id: string;
      document_id: string;
      embedding: ArrayBuffer | Uint8Array;
      text: StoredText;
    }>;
    for (const row of rows) {
      const vector = blobToVector(row.embedding);
      index.add(row.chunk_id, row.document_id, vector, textOf(row.text));
    }
    this.owners.set(ownerId, index);
    this.keepWithinBudget(ownerId);
    return index;
  }

  /** Chunks held in memory for search, across owners. */
  get chunksInMemory(): number {
    let chunks = 0;
    for (const owner of this.owners.values()) chunks += owner.size;
    return chunks;
  }

  /** Evicts the least recently searched owners, never `keep`, until the budget holds. */
  private keepWithinBudget(keep: string): void {
    let cachedChunks = this.chunksInMemory;
    for (const [owner, evicted] of this.owners) {
      if (cachedChunks <= this.memoryBudgetChunks) break;
      if (owner === keep) continue;
      this.owners.delete(owner);
      cachedChunks -= evicted.size;
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
            `SELECT chunk_id, document_id, ordinal, text FROM chunks
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
    score: Number(score.toFixed(6)),
  };
}
