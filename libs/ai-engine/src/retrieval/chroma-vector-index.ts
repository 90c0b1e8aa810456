import type { ChromaClient, Collection, Metadata, Where, WhereDocument } from 'chromadb';
import { EmbeddingMismatchError } from '../errors';
import { stem } from '../text/stem';
import { isStopword } from '../text/stopwords';
import { words } from '../text/tokenize';
import { rankBm25 } from './bm25';
import { isZeroVector } from './hashing-embedder';
import {
  assertOwner,
  type ChunkHit,
  type ChunkQuery,
  type IndexedChunk,
  type ReplaceResult,
  type VectorIndex,
} from './vector-index';

export interface ChromaVectorIndexOptions {
  /** e.g. `http://127.0.0.1:8000`; credentials, if any, as `headers`. */
  readonly url: string;
  readonly embedding: { readonly model: string; readonly dimensions: number };
  /** Collection name prefix; the embedding model and dimension are appended. */
  readonly collectionPrefix?: string;
  readonly headers?: Record<string, string>;
}

interface ChunkMetadata extends Metadata {
  ownerId: string;
  documentId: string;
  chunkId: string;
  ordinal: number;
}

const WRITE_BATCH = 256;
/** Lexical candidates fetched per query before BM25 ranks them in process. */
const LEXICAL_CANDIDATES = 2000;

/** One collection per embedding model: vectors of different models never mix. */
export function chromaCollectionName(prefix: string, model: string, dimensions: number): string {
  const slug = `${prefix}-${model}-${dimensions}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return slug.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 200);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The Chroma server adapter. Embeddings are always computed by the gateway and
 * passed explicitly (the collection has no embedding function), and every
 * record carries `ownerId`/`documentId` metadata that every read filters on.
 * Lexical search asks Chroma for the owner's chunks that contain a query stem
 * (case-insensitive `$regex` on the document) and ranks them with BM25 here.
 */
export class ChromaVectorIndex implements VectorIndex {
  readonly kind = 'chroma' as const;

  private constructor(
    private readonly collection: Collection,
    private readonly client: ChromaClient,
    private readonly dimensions: number,
  ) {}

  static async connect(options: ChromaVectorIndexOptions): Promise<ChromaVectorIndex> {
    const url = new URL(options.url);
    // The client loads on connect: embedded deployments never pay for it at start-up.
    const { ChromaClient } = await import('chromadb');
    const client = new ChromaClient({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      ssl: url.protocol === 'https:',
      headers: options.headers,
    });
    const { model, dimensions } = options.embedding;
    const name = chromaCollectionName(
      options.collectionPrefix ?? 'docuthinker-chunks',
      model,
      dimensions,
    );
    const collection = await client.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { embeddingModel: model, dimensions },
    });
    const recorded = collection.metadata ?? {};
    if (recorded['embeddingModel'] !== model || Number(recorded['dimensions']) !== dimensions) {
      throw new EmbeddingMismatchError(
        `Chroma collection ${name}`,
        {
          model: String(recorded['embeddingModel'] ?? 'unknown'),
          dimensions: Number(recorded['dimensions'] ?? 0),
        },
        { model, dimensions },
      );
    }
    return new ChromaVectorIndex(collection, client, dimensions);
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
      if (chunk.embedding.length !== this.dimensions) {
        throw new RangeError(
          `chunk ${chunk.chunkId} has ${chunk.embedding.length} dimensions, the index ${this.dimensions}`,
        );
      }
    }
    // Listed while the upserts run: whatever it lists that the new version
    // does not have is stale, whether or not the upserts are visible yet.
    const existing = this.collection.get({
      where: documentFilter(ownerId, [documentId]),
      include: [],
    });
    // Settled now; awaited (and rethrown) below, after the upserts.
    existing.catch(() => undefined);
    const newIds = chunks.map((chunk) => recordId(ownerId, chunk.chunkId));
    // Upsert first, then drop what the new version no longer has, so readers
    // never see the document missing while it is re-indexed.
    for (let from = 0; from < chunks.length; from += WRITE_BATCH) {
      const batch = chunks.slice(from, from + WRITE_BATCH);
      await this.collection.upsert({
        ids: newIds.slice(from, from + WRITE_BATCH),
        embeddings: batch.map((chunk) => Array.from(chunk.embedding)),
        documents: batch.map((chunk) => chunk.text),
        metadatas: batch.map((chunk): ChunkMetadata => ({
          ownerId,
          documentId,
          chunkId: chunk.chunkId,
          ordinal: chunk.ordinal,
        })),
      });
    }
    const keep = new Set(newIds);
    const stale = (await existing).ids.filter((id) => !keep.has(id));
    if (stale.length > 0) await this.collection.delete({ ids: stale });
    return { upserted: chunks.length, removed: stale.length };
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removed: number }> {
    assertOwner(ownerId);
    const existing = await this.collection.get({
      where: documentFilter(ownerId, [documentId]),
      include: [],
    });
    if (existing.ids.length > 0) await this.collection.delete({ ids: existing.ids });
    return { removed: existing.ids.length };
  }

  async queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    if (vector.length !== this.dimensions)
      throw new RangeError(
        `query vector has ${vector.length} dimensions, the index ${this.dimensions}`,
      );
    if (isZeroVector(vector) || query.k <= 0 || query.documentIds?.length === 0) return [];
    const result = await this.collection.query<ChunkMetadata>({
      queryEmbeddings: [Array.from(vector)],
      nResults: query.k,
      where: documentFilter(query.ownerId, query.documentIds),
      include: ['documents', 'metadatas', 'distances'],
    });
    const hits: ChunkHit[] = [];
    const metadatas = result.metadatas[0] ?? [];
    metadatas.forEach((metadata, index) => {
      const distance = result.distances[0]?.[index];
      if (!metadata || distance === null || distance === undefined) return;
      hits.push({
        documentId: metadata.documentId,
        chunkId: metadata.chunkId,
        ordinal: metadata.ordinal,
        text: result.documents[0]?.[index] ?? '',
        score: Number((1 - distance).toFixed(6)),
      });
    });
    return hits;
  }

  async queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    const stems = [
      ...new Set(
        words(text)
          .filter((word) => word.length > 1 && !isStopword(word))
          .map(stem),
      ),
    ];
    if (stems.length === 0 || query.k <= 0 || query.documentIds?.length === 0) return [];
    const conditions: WhereDocument[] = stems.map((term) => ({
      $regex: `(?i)\\b${escapeRegex(term)}`,
    }));
    const candidates = await this.collection.get<ChunkMetadata>({
      where: documentFilter(query.ownerId, query.documentIds),
      whereDocument:
        conditions.length === 1 ? (conditions[0] as WhereDocument) : { $or: conditions },
      limit: LEXICAL_CANDIDATES,
      include: ['documents', 'metadatas'],
    });
    const documents = candidates.ids.flatMap((_id, index) => {
      const metadata = candidates.metadatas[index];
      const document = candidates.documents[index];
      return metadata && document ? [{ item: { metadata, document }, text: document }] : [];
    });
    const total = await this.collection.count();
    return rankBm25(text, documents, { totalDocuments: total })
      .slice(0, query.k)
      .map(({ item, score }) => ({
        documentId: item.metadata.documentId,
        chunkId: item.metadata.chunkId,
        ordinal: item.metadata.ordinal,
        text: item.document,
        score: Number(score.toFixed(6)),
      }));
  }

  async countChunks(ownerId: string, documentId?: string): Promise<number> {
    assertOwner(ownerId);
    const result = await this.collection.get({
      where: documentFilter(ownerId, documentId === undefined ? undefined : [documentId]),
      include: [],
    });
    return result.ids.length;
  }

  async ping(): Promise<void> {
    await this.client.heartbeat();
  }

  async close(): Promise<void> {
    // The client holds no connections of its own beyond fetch's pool.
  }
}

/** Chroma ids are global, so the owner is part of the record id. */
function recordId(ownerId: string, chunkId: string): string {
  return `${encodeURIComponent(ownerId)}/${chunkId}`;
}

function documentFilter(ownerId: string, documentIds?: readonly string[]): Where {
  if (!documentIds) return { ownerId: { $eq: ownerId } };
  const documents: Where =
    documentIds.length === 1
      ? { documentId: { $eq: documentIds[0] as string } }
      : { documentId: { $in: [...documentIds] } };
  return { $and: [{ ownerId: { $eq: ownerId } }, documents] };
}
