import { buildDocumentGraph, type DocumentGraphOptions } from '../graph/document-graph';
import type { GraphDocument } from '../graph/knowledge-graph';
import { chunkDocument, type Chunk, type ChunkerOptions } from './chunker';
import { HashingEmbedder } from './hashing-embedder';

export interface PrepareChunksRequest {
  readonly documentId: string;
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

/** Chunks a document and, with `hashingDimensions`, embeds the chunks with the offline embedder. */
export function prepareChunks(request: PrepareChunksRequest): PreparedChunks {
  const chunks = chunkDocument(request.documentId, request.text, request.chunking);
  if (request.hashingDimensions === undefined) return { chunks };
  const hashing = new HashingEmbedder(request.hashingDimensions);
  return { chunks, embeddings: chunks.map((chunk) => hashing.embedOne(chunk.text)) };
}

/** The graph the document contributes (buildDocumentGraph) from one request object. */
export function documentGraphOf(request: DocumentGraphRequest): GraphDocument {
  const { ownerId, documentId, title, text, options } = request;
  return buildDocumentGraph(ownerId, documentId, title, text, options);
}
