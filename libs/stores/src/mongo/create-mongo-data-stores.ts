import { DEFAULT_CHAT_SESSION_TTL_MS } from '../ports/chat-session-store';
import type { DataStores } from '../data-stores';
import { systemClock, type Clock } from '../shared/clock';
import { probeHealth } from '../shared/health';
import { connectMongo } from './mongo-database';
import { MongoChatSessionStore } from './mongo-chat-session-store';
import { MongoDocumentStore } from './mongo-document-store';
import { MongoOutboxStore } from './mongo-outbox-store';
import { MongoUserStore } from './mongo-user-store';

export interface MongoDataStoresOptions {
  readonly uri: string;
  /** Defaults to the database in the URI's path, else `docuthinker`. */
  readonly databaseName?: string;
  readonly chatSessionTtlMs?: number;
  readonly clock?: Clock;
}

/**
 * Users, documents, chat sessions and the outbox on MongoDB. Needs a replica
 * set (Atlas, DocumentDB, or `--replSet` locally) for the outbox transactions.
 */
export async function createMongoDataStores(options: MongoDataStoresOptions): Promise<DataStores> {
  const { client, db } = await connectMongo(options.uri, options.databaseName);
  const clock = options.clock ?? systemClock;
  return {
    adapter: 'mongodb',
    users: new MongoUserStore(db, clock),
    documents: new MongoDocumentStore(client, db, clock),
    chatSessions: new MongoChatSessionStore(
      db,
      clock,
      options.chatSessionTtlMs ?? DEFAULT_CHAT_SESSION_TTL_MS,
    ),
    outbox: new MongoOutboxStore(db, clock),
    health: () => probeHealth('mongodb', () => db.command({ ping: 1 })),
    close: () => client.close(),
  };
}
