import { buildDocumentGraph, type DocumentGraphOptions } from '../graph/document-graph';
import type { GraphDocument } from '../graph/knowledge-graph';
import { chunkDocument, type Chunk, type ChunkerOptions } from './chunker';
import { HashingEmbedder } from './hashing-embedder';

export interface PrepareChunksRequest {
  readonly documentId: string;
  /** Embedded with every chunk (see embeddingInputOf); not part of the chunks' text. */
  readonly title?: string;
  readonly text: string;
  readonly chunking?: ChunkerOptions;
  /** The offline embedder's size, to embed the chunks here; provider embedders embed later. */
  readonly hashingDimensions?: number;
}

export interface PreparedChunks {
  readonly chunks: Chunk[];
  /** One per chunk, when `hashingDimensions` was given. */
  readonly embeddings?: Float32Array[];
}

export interface DocumentGraphRequest {
  readonly ownerId: string;
  readonly documentId: string;
  readonly title: string;
  readonly text: string;
  readonly options?: DocumentGraphOptions;
}

/*
 * The CPU part of indexing a document, before anything is written: on a
 * 1.9 MB text it takes the better part of a second, so a service runs it in
 * its offline worker threads (OfflineWorkerPool). Chunks and graph are two
 * calls so that the graph can be built while the chunks are being written.
 */

/**
 * What a chunk's embedding is computed from: the document's title, then the
 * chunk. A passage rarely names the document it is in, so without the title
 * semantic search and ask could not find a document by its name, not even
 * just after a rename (found in review: "Zanzibar" found the "Quarterly
 * Zanzibar Report" by title and by content, and not semantically). The
 * chunk's text, offsets and id stay the passage's own.
 */
export function embeddingInputOf(title: string | undefined, chunk: Pick<Chunk, 'text'>): string {
  const heading = title?.trim();
  return heading ? `${heading}\n\n${chunk.text}` : chunk.text;
}

/** Chunks a document and, with `hashingDimensions`, embeds the chunks with the offline embedder. */
export function prepareChunks(request: PrepareChunksRequest): PreparedChunks {
  const chunks = chunkDocument(request.documentId, request.text, request.chunking);
  if (request.hashingDimensions === undefined) return { chunks };
  const hashing = new HashingEmbedder(request.hashingDimensions);
  return {
    chunks,
    embeddings: chunks.map((chunk) => hashing.embedOne(embeddingInputOf(request.title, chunk))),
  };
}

/** The graph the document contributes (buildDocumentGraph) from one request object. */
export function documentGraphOf(request: DocumentGraphRequest): GraphDocument {
  const { ownerId, documentId, title, text, options } = request;
  return buildDocumentGraph(ownerId, documentId, title, text, options);
}
