import type { ChatSessionStore } from './ports/chat-session-store';
import type { DocumentStore } from './ports/document-store';
import type { OutboxStore } from './ports/outbox-store';
import type { UserStore } from './ports/user-store';
import type { HealthReport } from './shared/health';

/**
 * The four stores that live in one database, so that a document and its
 * outbox job can be written atomically.
 */
export interface DataStores {
  readonly adapter: 'libsql' | 'mongodb';
  readonly users: UserStore;
  readonly documents: DocumentStore;
  readonly chatSessions: ChatSessionStore;
  readonly outbox: OutboxStore;
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}
