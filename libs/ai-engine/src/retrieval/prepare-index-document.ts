import { buildDocumentGraph, type DocumentGraphOptions } from '../graph/document-graph';
import type { GraphDocument } from '../graph/knowledge-graph';
import { chunkDocument, type Chunk, type ChunkerOptions } from './chunker';
import { HashingEmbedder } from './hashing-embedder';

export interface PrepareIndexRequest {
  readonly ownerId: string;
  readonly documentId: string;
  readonly title: string;
  readonly text: string;
  readonly chunking?: ChunkerOptions;
  /** The document graph's bounds; no graph is built when absent (graph sync off). */
  readonly graph?: DocumentGraphOptions;
  /** The offline embedder's size, to embed the chunks here; provider embedders embed later. */
  readonly hashingDimensions?: number;
}

/** The CPU part of indexing a document, before anything is written. */
export interface PreparedDocument {
  readonly chunks: Chunk[];
  /** One per chunk, when `hashingDimensions` was given. */
  readonly embeddings?: Float32Array[];
  readonly graph?: GraphDocument;
}

/**
 * Chunks a document, embeds the chunks with the offline embedder and builds
 * its graph: everything indexing does that needs no store or network. On a
 * 1.9 MB text it takes the better part of a second, so a service runs it in
 * its offline worker threads (OfflineWorkerPool.prepareIndex).
 */
export function prepareIndexDocument(request: PrepareIndexRequest): PreparedDocument {
  const chunks = chunkDocument(request.documentId, request.text, request.chunking);
  const hashing =
    request.hashingDimensions === undefined
      ? undefined
      : new HashingEmbedder(request.hashingDimensions);
  const embeddings =
    hashing === undefined ? undefined : chunks.map((chunk) => hashing.embedOne(chunk.text));
  const graph = request.graph
    ? buildDocumentGraph(
        request.ownerId,
        request.documentId,
        request.title,
        request.text,
        request.graph,
      )
    : undefined;
  return { chunks, embeddings, graph };
}
