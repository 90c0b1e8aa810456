import { join } from 'node:path';
import { databaseDiskSpaceCheck } from '@docuthinker/runtime';
import { DEFAULT_CHAT_SESSION_TTL_MS } from '../ports/chat-session-store';
import type { DataStores } from '../data-stores';
import { systemClock, type Clock } from '../shared/clock';
import { probeHealth } from '../shared/health';
import { openEmbeddedDatabase } from './libsql-database';
import { LibsqlChatSessionStore } from './libsql-chat-session-store';
import { LibsqlDocumentStore } from './libsql-document-store';
import { LibsqlOutboxStore } from './libsql-outbox-store';
import { LibsqlUserStore } from './libsql-user-store';

export const EMBEDDED_DATABASE_FILE = 'docuthinker.db';

export interface EmbeddedDataStoresOptions {
  /** The data directory; the database is one file inside it. */
  readonly dataDir: string;
  readonly chatSessionTtlMs?: number;
  readonly clock?: Clock;
  /** Below this much free space on the data directory's disk the stores report themselves unhealthy. */
  readonly minFreeDiskBytes?: number;
}

/** Users, documents, chat sessions and the outbox in one libSQL file (WAL mode). */
export function createEmbeddedDataStores(options: EmbeddedDataStoresOptions): DataStores {
  const path = join(options.dataDir, EMBEDDED_DATABASE_FILE);
  const db = openEmbeddedDatabase(path);
  const checkDiskSpace = databaseDiskSpaceCheck(path, options.minFreeDiskBytes);
  const clock = options.clock ?? systemClock;
  const documents = new LibsqlDocumentStore(db, clock);
  // Words a crashed process deleted and never merged away go now.
  documents.mergeDeletedTerms();
  return {
    adapter: 'libsql',
    users: new LibsqlUserStore(db, clock),
    documents,
    chatSessions: new LibsqlChatSessionStore(
      db,
      clock,
      options.chatSessionTtlMs ?? DEFAULT_CHAT_SESSION_TTL_MS,
    ),
    outbox: new LibsqlOutboxStore(db, clock),
    health: () =>
      probeHealth('libsql', async () => {
        db.prepare('SELECT 1').get();
        await checkDiskSpace();
      }),
    close: async () => {
      documents.mergeDeletedTerms();
      db.close();
    },
  };
}
