import type { ProviderName, TokenUsage } from '../providers/ai-provider';
import type { ChatMessage } from '../tasks/task-types';

export type SearchMode = 'hybrid' | 'vector' | 'lexical';

export interface IndexRequest {
  readonly ownerId: string;
  readonly documentId: string;
  readonly title: string;
  readonly text: string;
  /**
   * Accepted for the API's shape; the derived indexes do not persist it
   * (MongoDB, the source of truth, does).
   */
  readonly metadata?: Record<string, unknown>;
}

export interface IndexResult {
  readonly documentId: string;
  readonly chunks: number;
  readonly vector: {
    readonly enabled: boolean;
    readonly upserted: number;
    readonly removed: number;
  };
  readonly graph: { readonly enabled: boolean; readonly nodes: number; readonly edges: number };
}

export interface RemoveResult {
  readonly documentId: string;
  readonly vector: { readonly enabled: boolean; readonly removed: number };
  readonly graph: { readonly enabled: boolean; readonly removedEntities: number };
}

export interface RemoveOwnerResult {
  readonly ownerId: string;
  readonly vector: {
    readonly enabled: boolean;
    readonly removed: number;
    readonly documents: number;
  };
  readonly graph: {
    readonly enabled: boolean;
    readonly removedDocuments: number;
    readonly removedEntities: number;
  };
}

export interface SearchRequest {
  readonly ownerId: string;
  readonly query: string;
  readonly k?: number;
  readonly mode?: SearchMode;
  readonly documentIds?: readonly string[];
}

export interface SearchHit {
  readonly documentId: string;
  readonly chunkId: string;
  readonly text: string;
  readonly score: number;
}

export interface AskRequest {
  readonly ownerId: string;
  readonly question: string;
  readonly documentIds?: readonly string[];
  readonly k?: number;
}

export interface Citation {
  readonly documentId: string;
  readonly chunkId: string;
  readonly snippet: string;
  /** The passage's retrieval score (reciprocal-rank fusion). */
  readonly score: number;
}

export interface AnswerProvenance {
  readonly provider: ProviderName;
  readonly model: string;
  readonly degraded: boolean;
  readonly usage?: TokenUsage;
}

export interface AskResult extends AnswerProvenance {
  readonly answer: string;
  readonly citations: readonly Citation[];
  /**
   * For a question over named documents (at most DOCUMENTS_CHECKED_FOR_INDEX
   * of them): whether the index holds any of them, counted only when nothing
   * was found. False when none is indexed yet; absent for more documents,
   * none named, or when a count fails.
   */
  readonly documentsIndexed?: boolean;
}

export interface ChatRequest {
  readonly ownerId: string;
  readonly documentId?: string;
  readonly messages: readonly ChatMessage[];
  readonly k?: number;
}

export interface ChatResult extends AnswerProvenance {
  readonly reply: string;
  readonly citations: readonly Citation[];
  /**
   * For a chat about one document: whether the index holds any of it. False
   * for a document not indexed yet (or whose indexing failed), which a reply
   * that no passage answers would otherwise blame.
   */
  readonly documentIndexed?: boolean;
}
