import { EmbeddingMismatchError } from '../errors';
import {
  openLibsql,
  placeholders,
  vectorBlob,
  vectorHex,
  type LibsqlDatabase,
} from '../store/open-libsql';
import { isStopword } from '../text/stopwords';
import { words } from '../text/tokenize';
import { isZeroVector } from './hashing-embedder';
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
}

interface ChunkRow {
  chunk_id: string;
  document_id: string;
  ordinal: number;
  text: string;
}

const TABLES = ['chunks', 'chunk_vectors', 'chunk_terms'] as const;

/**
 * Embedded vector index on a libSQL file: an `F32_BLOB` column searched by
 * brute-force `vector_distance_cos` (no DiskANN index, which makes bulk
 * inserts two orders of magnitude slower) and an FTS5 table for BM25 lexical
 * search. Writes for one document happen in one transaction.
 */
export class LibsqlVectorIndex implements VectorIndex {
  readonly kind = 'libsql' as const;

  private constructor(
    private readonly db: LibsqlDatabase,
    private readonly dimensions: number,
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
      CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
        text, owner_id UNINDEXED, document_id UNINDEXED, chunk_id UNINDEXED, tokenize = 'porter unicode61'
      );
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
    return new LibsqlVectorIndex(db, dimensions);
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
    const insertTerms = this.db.prepare(
      'INSERT INTO chunk_terms (text, owner_id, document_id, chunk_id) VALUES (?, ?, ?, ?)',
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
        insertChunk.run(ownerId, chunk.chunkId, documentId, chunk.ordinal, chunk.text);
        insertVector.run(ownerId, chunk.chunkId, documentId, vectorBlob(chunk.embedding));
        insertTerms.run(chunk.text, ownerId, documentId, chunk.chunkId);
      }
      return stale;
    });
    return { upserted: chunks.length, removed: replace() as number };
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removed: number }> {
    assertOwner(ownerId);
    const remove = this.db.transaction(() => this.deleteDocumentRows(ownerId, documentId));
    return { removed: remove() as number };
  }

  async queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    this.assertDimensions(vector, 'the query vector');
    if (isZeroVector(vector) || query.k <= 0 || query.documentIds?.length === 0) return [];
    const documentFilter = query.documentIds
      ? `AND document_id IN (${placeholders(query.documentIds.length)})`
      : '';
    const nearest = (
      this.db
        .prepare(
          `SELECT chunk_id, vector_distance_cos(embedding, unhex(?)) AS distance
           FROM chunk_vectors WHERE owner_id = ? ${documentFilter}
           ORDER BY distance ASC, chunk_id LIMIT ?`,
        )
        .all(vectorHex(vector), query.ownerId, ...(query.documentIds ?? []), query.k) as Array<{
        chunk_id: string;
        distance: number | null;
      }>
    ).filter((row) => row.distance !== null && Number.isFinite(row.distance));
    if (nearest.length === 0) return [];
    const chunks = new Map(
      (
        this.db
          .prepare(
            `SELECT chunk_id, document_id, ordinal, text FROM chunks
             WHERE owner_id = ? AND chunk_id IN (${placeholders(nearest.length)})`,
          )
          .all(query.ownerId, ...nearest.map((row) => row.chunk_id)) as ChunkRow[]
      ).map((row) => [row.chunk_id, row]),
    );
    return nearest.flatMap((row) => {
      const chunk = chunks.get(row.chunk_id);
      return chunk ? [toHit(chunk, 1 - (row.distance ?? 1))] : [];
    });
  }

  async queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    const terms = [...new Set(words(text).filter((word) => word.length > 1 && !isStopword(word)))];
    if (terms.length === 0 || query.k <= 0 || query.documentIds?.length === 0) return [];
    // Every term is quoted, so user input can never become FTS5 query syntax.
    const match = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ');
    const documentFilter = query.documentIds
      ? `AND chunk_terms.document_id IN (${placeholders(query.documentIds.length)})`
      : '';
    const rows = this.db
      .prepare(
        `SELECT c.chunk_id, c.document_id, c.ordinal, c.text, bm25(chunk_terms) AS rank
         FROM chunk_terms JOIN chunks c ON c.owner_id = chunk_terms.owner_id AND c.chunk_id = chunk_terms.chunk_id
         WHERE chunk_terms MATCH ? AND chunk_terms.owner_id = ? ${documentFilter}
         ORDER BY rank ASC, c.chunk_id LIMIT ?`,
      )
      .all(match, query.ownerId, ...(query.documentIds ?? []), query.k) as Array<
      ChunkRow & { rank: number }
    >;
    // FTS5's bm25() is negated so that ascending order is best first.
    return rows.map((row) => toHit(row, -row.rank));
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
    if (this.db.open) this.db.close();
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

function toHit(row: ChunkRow, score: number): ChunkHit {
  return {
    documentId: row.document_id,
    chunkId: row.chunk_id,
    ordinal: row.ordinal,
    text: row.text,
    score: Number(score.toFixed(6)),
  };
}
