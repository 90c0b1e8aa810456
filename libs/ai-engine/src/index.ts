// Tasks and the offline engine
export { AI_TASKS, isAiTaskName } from './tasks/task-types';
export type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  ChatMessage,
  Passage,
  TaskInput,
  TaskOptions,
  TaskOutputs,
  TopicsOutput,
} from './tasks/task-types';
export { runOfflineTask, type OfflineTaskResult } from './offline/offline-engine';
export { inlineOfflineTasks, type OfflineTaskRunner } from './offline/offline-task-runner';
export { OfflineWorkerPool, type OfflineWorkerPoolOptions } from './offline/offline-worker-pool';
export {
  runOfflineWorkerTask,
  prepareChunksInWorker,
  buildGraphInWorker,
  type OfflineWorkerReply,
  type OfflineWorkerRequest,
} from './offline/offline-worker-task';
export {
  prepareChunks,
  documentGraphOf,
  type DocumentGraphRequest,
  type PrepareChunksRequest,
  type PreparedChunks,
} from './retrieval/prepare-index-document';
export { answerFromContext, NO_ANSWER } from './offline/answer-from-context';
export { extractiveSummary, keyIdeas, bulletSummary, refineSummary } from './offline/summaries';
export { discussionPoints, recommendations } from './offline/discussion';
export { extractKeyPhrases, type KeyPhrase } from './offline/key-phrases';
export {
  extractNamedEntities,
  extractEntityMentions,
  type NamedEntity,
  type EntityType,
} from './offline/named-entities';
export { analyseSentiment, type SentimentLabel, type SentimentResult } from './offline/sentiment';
export { rewriteOffline, OFFLINE_REWRITE_STYLES } from './offline/rewrite';

// Text helpers
export { splitSentences, type Sentence } from './text/sentences';
export { words, contentTerms } from './text/tokenize';
export { stem } from './text/stem';

// Retrieval
export { chunkDocument, type Chunk, type ChunkerOptions } from './retrieval/chunker';
export { rankPassages, type RankPassagesRequest } from './retrieval/rank-passages';
export type { Embedder } from './retrieval/embedder';
export { HashingEmbedder, HASHING_EMBEDDER_MODEL } from './retrieval/hashing-embedder';
export {
  OpenAiEmbedder,
  GoogleEmbedder,
  type ProviderEmbedderOptions,
} from './retrieval/provider-embedders';
export type {
  VectorIndex,
  IndexedChunk,
  ChunkHit,
  ChunkQuery,
  ReplaceResult,
} from './retrieval/vector-index';
export { LibsqlVectorIndex, type LibsqlVectorIndexOptions } from './retrieval/libsql-vector-index';
export {
  ChromaVectorIndex,
  chromaCollectionName,
  type ChromaVectorIndexOptions,
} from './retrieval/chroma-vector-index';
export { reciprocalRankFusion } from './retrieval/reciprocal-rank-fusion';
export { isTransportErrorCode } from './retrieval/transport-failure';
export { rankBm25 } from './retrieval/bm25';

// Knowledge graph
export type {
  KnowledgeGraph,
  GraphDocument,
  GraphEntity,
  CoOccurrence,
  GraphWriteResult,
  GraphStats,
  RelatedDocument,
  EntitySummary,
} from './graph/knowledge-graph';
export { buildDocumentGraph, type DocumentGraphOptions } from './graph/document-graph';
export { LibsqlKnowledgeGraph } from './graph/libsql-knowledge-graph';
export {
  Neo4jKnowledgeGraph,
  type Neo4jKnowledgeGraphOptions,
} from './graph/neo4j-knowledge-graph';

// Providers
export {
  PROVIDER_NAMES,
  type AiProvider,
  type ProviderName,
  type ProviderReply,
  type TokenUsage,
} from './providers/ai-provider';
export {
  ProviderChain,
  ProvidersExhaustedError,
  AnswerInterruptedError,
  DEFAULT_RESILIENCE,
  type AnswerStream,
  type ProviderChainOptions,
  type ChainCallOptions,
  type ResiliencePolicy,
  type ChainResult,
  type ProviderAttempt,
  type AttemptOutcome,
} from './providers/provider-chain';
export { reportedCircuitStatus, type CircuitStatus } from './providers/circuit-status';
export { ProviderError, type ProviderFailureKind } from './providers/provider-error';
export { KeyPool } from './providers/key-pool';
export { OpenAiProvider } from './providers/openai-provider';
export { AnthropicProvider } from './providers/anthropic-provider';
export { GoogleProvider } from './providers/google-provider';
export { UpstreamProvider, type UpstreamProviderOptions } from './providers/upstream-provider';
export { LocalProvider, OFFLINE_ENGINE_MODEL } from './providers/local-provider';
export type { RemoteProviderOptions } from './providers/remote-provider-options';

// Services
export {
  RetrievalService,
  DEFAULT_ASK_K,
  DEFAULT_SEARCH_K,
  MAX_K,
  type RetrievalServiceDependencies,
} from './service/retrieval-service';
export type { SharedWriteLock } from './service/shared-write-lock';
export type {
  IndexRequest,
  IndexResult,
  RemoveOwnerResult,
  RemoveResult,
  SearchMode,
  SearchRequest,
  SearchHit,
  AskRequest,
  AskResult,
  ChatRequest,
  ChatResult,
  Citation,
} from './service/retrieval-types';
export {
  createAiEngine,
  buildProviders,
  buildEmbedder,
  type AiEngine,
  type AiEngineConfig,
  type TaskResponse,
  type Readiness,
  type DependencyState,
} from './service/create-ai-engine';

export {
  analyzeDocument,
  type AnalyzeRequest,
  type AnalyzeResponse,
  type AnalyzeContext,
  type SyncState,
} from './service/analyze-document';

// Errors
export {
  TaskUnsupportedError,
  EmbeddingMismatchError,
  IndexDisabledError,
  InvalidInputError,
  UnknownTaskError,
  VectorWriteRejectedError,
  OfflineTextTooLargeError,
  OwnerErasedError,
} from './errors';
