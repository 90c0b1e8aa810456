export {
  createStores,
  type Stores,
  type StoresAdapters,
  type StoresConfig,
  type StoresHealth,
} from './create-stores';
export {
  eraseAccount,
  eraseOwnedData,
  type AccountErasure,
  type AccountErasureStores,
  type OwnedData,
} from './account-erasure';
export type { DataStores } from './data-stores';
export { EMBEDDED_DATABASE_FILE } from './embedded/create-embedded-data-stores';

export {
  THEMES,
  SOCIAL_NETWORKS,
  type NewUser,
  type SocialMedia,
  type SocialNetwork,
  type Theme,
  type UserProfileUpdate,
  type UserRecord,
  type UserStore,
} from './ports/user-store';
export {
  INDEX_STATUSES,
  type DeletedDocuments,
  type DocumentMetadata,
  type DocumentPage,
  type DocumentPageRequest,
  type DocumentRecord,
  type DocumentSearchHit,
  type DocumentSearchOptions,
  type DocumentStore,
  type DocumentUpdate,
  type IndexStatus,
  type NewDocument,
} from './ports/document-store';
export {
  CHAT_ROLES,
  DEFAULT_CHAT_SESSION_TTL_MS,
  MAX_CHAT_SESSION_MESSAGES,
  type ChatMessage,
  type ChatRole,
  type ChatSession,
  type ChatSessionPage,
  type ChatSessionPageRequest,
  type ChatSessionScope,
  type ChatSessionStore,
  type ChatSessionSummary,
  type NewChatMessage,
} from './ports/chat-session-store';
export {
  OUTBOX_JOB_KINDS,
  type ClaimedOutboxJob,
  type OutboxClaimOptions,
  type OutboxEnqueueRequest,
  type OutboxFailure,
  type OutboxJob,
  type OutboxJobKind,
  type OutboxPendingCounts,
  type OutboxStore,
} from './ports/outbox-store';
export type { CacheStore } from './ports/cache-store';
// The rate-limit port and adapters live in libs/runtime, shared with the gateway.
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimiterFactory,
  RateLimitRule,
} from '@docuthinker/runtime/rate-limits';
export type { FileStore, PutFileOptions, SignedUrlOptions, StoredFile } from './ports/file-store';

export { retryDelayMs, type RetryDelayOptions } from './outbox/retry-delay';
export { documentFileKey, ownerFilePrefix } from './files/document-file-key';
export { putDeadlineMs } from './files/file-put-deadline';
export {
  DuplicateIdError,
  EmailTakenError,
  FileStoreUnavailableError,
  InvalidCursorError,
  UnsafeFileKeyError,
} from './shared/errors';
export { isDataStoreOutage } from './shared/data-store-outage';
export { systemClock, type Clock } from './shared/clock';
export { emailKey, withAsciiDomain, withCanonicalDomain } from './shared/email-key';
export { distinctSearchWords, MAX_SEARCH_WORDS } from './documents/search-terms';
export type { HealthCheckable, HealthReport } from './shared/health';

// Adapters, for composition roots and tools that need one directly.
export {
  createEmbeddedDataStores,
  type EmbeddedDataStoresOptions,
} from './embedded/create-embedded-data-stores';
export { MemoryCacheStore, type MemoryCacheOptions } from './cache/memory-cache-store';
export { MemoryRateLimiterFactory } from '@docuthinker/runtime/rate-limits';
export { LocalFileStore, type LocalFileStoreOptions } from './files/local-file-store';
// The MongoDB, Redis and S3 adapters are reached through createStores only,
// which loads them (and their drivers) when configured.
