import type { CircuitStatus } from '../providers/circuit-status';

export interface IndexedChunk {
  readonly chunkId: string;
  readonly documentId: string;
  readonly ordinal: number;
  readonly text: string;
  /**
   * The document's title, which its embedding was computed with
   * (embeddingInputOf): kept with the chunk so that a hit's embedding input
   * can be known again (RetrievalService drops the offline embedder's hash
   * collisions with it).
   */
  readonly title?: string;
  readonly embedding: Float32Array;
}

export interface ChunkHit {
  readonly documentId: string;
  readonly chunkId: string;
  readonly ordinal: number;
  readonly text: string;
  /** The title the chunk was embedded with; absent for chunks indexed before titles were kept. */
  readonly title?: string;
  /** Higher is better; comparable only within one result list. */
  readonly score: number;
}

export interface ReplaceResult {
  readonly upserted: number;
  readonly removed: number;
}

export interface ChunkQuery {
  /** Mandatory: no query ever crosses owners. */
  readonly ownerId: string;
  readonly k: number;
  /** Restrict to these documents of the owner. */
  readonly documentIds?: readonly string[];
}

/**
 * The vector index port, with lexical search beside it. Every operation is
 * scoped to one owner. Adapters: `LibsqlVectorIndex` (embedded) and
 * `ChromaVectorIndex` (server).
 */
export interface VectorIndex {
  readonly kind: 'libsql' | 'chroma';
  /** Makes the document's chunks exactly `chunks`: idempotent; stale chunks go. */
  replaceDocument(
    ownerId: string,
    documentId: string,
    chunks: readonly IndexedChunk[],
  ): Promise<ReplaceResult>;
  removeDocument(ownerId: string, documentId: string): Promise<{ removed: number }>;
  /**
   * Removes every chunk the owner has, whichever document it came from
   * (account erasure); idempotent. `documents` counts the distinct documents
   * whose chunks went.
   */
  removeOwner(ownerId: string): Promise<{ removed: number; documents: number }>;
  /**
   * The chunks nearest `vector` by cosine similarity, only those above 0: a
   * chunk that shares nothing with the query is no match, so a search (and an
   * answer) over an owner without a matching chunk finds nothing.
   */
  queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]>;
  queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]>;
  countChunks(ownerId: string, documentId?: string): Promise<number>;
  /** Resolves when the store answers; for readiness checks. */
  ping(): Promise<void>;
  /**
   * The state of the circuit breaker in front of a store server, for
   * readiness; an embedded index has none.
   */
  readonly circuit?: CircuitStatus;
  close(): Promise<void>;
}

export function assertOwner(ownerId: string): void {
  if (typeof ownerId !== 'string' || ownerId.trim().length === 0) {
    throw new TypeError('ownerId is required for every index operation');
  }
}
