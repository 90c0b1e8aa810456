import { rankBm25 } from './bm25';
import { chunkDocument, type Chunk } from './chunker';

export interface RankPassagesRequest {
  /** Names the chunks (their ids start with it). */
  readonly documentId: string;
  readonly text: string;
  readonly question: string;
  readonly limit: number;
}

/**
 * The passages of one document that best answer a question, by BM25 over its
 * chunks: the context `/analyze` gives a question about the document it was
 * sent, which is not indexed. CPU-bound on a large text (chunking a 2 MB
 * document takes ~0.15 s), so a service runs it in its offline worker threads.
 */
export function rankPassages(request: RankPassagesRequest): Chunk[] {
  const chunks = chunkDocument(request.documentId, request.text);
  return rankBm25(
    request.question,
    chunks.map((chunk) => ({ item: chunk, text: chunk.text })),
  )
    .slice(0, request.limit)
    .map(({ item }) => item);
}
