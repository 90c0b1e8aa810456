import type { HealthCheckable } from '../shared/health';

export const CHAT_ROLES = ['user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
  readonly createdAt: Date;
}

export interface ChatSession {
  readonly id: string;
  readonly ownerId: string;
  readonly documentId: string;
  /** Oldest first. */
  readonly messages: ChatMessage[];
  readonly createdAt: Date;
  /** Refreshed on every append: a conversation expires after a period without activity. */
  readonly expiresAt: Date;
}

export interface ChatSessionScope {
  readonly ownerId: string;
  readonly documentId: string;
}

export interface NewChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

export const DEFAULT_CHAT_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * A session keeps its latest messages only. Each may hold tens of thousands
 * of characters, and a MongoDB session is one document, limited to 16 MB:
 * without a bound a long conversation would end in failed appends. Chat
 * sends the model far fewer of them as history.
 */
export const MAX_CHAT_SESSION_MESSAGES = 200;

/** A session as a listing shows it: without its messages. */
export interface ChatSessionSummary {
  readonly id: string;
  readonly documentId: string;
  readonly createdAt: Date;
  /** When its latest message was added; its creation before any. */
  readonly lastActivityAt: Date;
  readonly messageCount: number;
}

export interface ChatSessionPageRequest {
  /** Only the sessions about this document. */
  readonly documentId?: string;
  /** Clamped to 1..100. */
  readonly limit: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string | null;
}

export interface ChatSessionPage {
  /**
   * Most recently active first: a message moves its session to the top.
   * Ordered by expiry, which every message renews by the store's TTL (a TTL
   * changed between deployments orders sessions by the expiry they were
   * given); ties by id.
   */
  readonly items: ChatSessionSummary[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

/** Chat history per (owner, document). Expired sessions read as absent. */
export interface ChatSessionStore extends HealthCheckable {
  /**
   * A new, empty session. `id` is one the caller made up (a random UUID)
   * and named to its client before the session's first turn was stored
   * (a streamed chat reply names its session first); a new random one when absent.
   */
  create(scope: ChatSessionScope, id?: string): Promise<ChatSession>;
  /** Null for an unknown, expired or other owner's session. */
  get(ownerId: string, sessionId: string): Promise<ChatSession | null>;
  /**
   * Appends in order and extends the expiry, keeping the latest
   * MAX_CHAT_SESSION_MESSAGES. Null when the session is not the owner's,
   * belongs to another document, or has expired.
   */
  append(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly NewChatMessage[],
  ): Promise<ChatSession | null>;
  /**
   * Takes back messages as `append` returned them: each stored message of
   * the same role, content and time, wherever later appends have put it (an
   * identical message appended in the same millisecond goes too). For a
   * request that stored a turn and then answered that it failed: its retry
   * would store the turn twice. The expiry stays as the append set it.
   * Returns how many messages went; 0 for a session that is not the owner's
   * or the document's.
   */
  retract(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly ChatMessage[],
  ): Promise<number>;
  /**
   * The owner's live sessions, a page at a time. Throws `InvalidCursorError`
   * for a cursor that this store did not produce.
   */
  list(ownerId: string, page: ChatSessionPageRequest): Promise<ChatSessionPage>;
  /** False when there is no such live session of the owner's. */
  delete(ownerId: string, sessionId: string): Promise<boolean>;
  deleteForDocument(scope: ChatSessionScope): Promise<number>;
  deleteAllForOwner(ownerId: string): Promise<number>;
  /** Physically removes expired sessions (MongoDB's TTL index does this by itself). */
  purgeExpired(): Promise<number>;
}
