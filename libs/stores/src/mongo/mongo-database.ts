import {
  MongoClient,
  MongoServerError,
  type ClientSession,
  type Collection,
  type Db,
} from 'mongodb';

export const MONGO_COLLECTIONS = {
  users: 'users',
  documents: 'documents',
  chatSessions: 'chat_sessions',
  outboxJobs: 'outbox_jobs',
} as const;

/** How long an operation waits for a usable server before failing (instead of hanging). */
const SERVER_SELECTION_TIMEOUT_MS = 5000;
/** A TCP connection to a server that is up is made in milliseconds (the driver waits 30 s). */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * The longest a connection may owe an answer: by default the driver waits
 * for ever, and an operation on a server that hangs after connecting ended
 * only when the monitor's heartbeat failed, about 40 s later. Every query
 * here is a keyed lookup or a short write; none runs anywhere near this.
 */
const SOCKET_TIMEOUT_MS = 30_000;

export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
}

/** The database named in the URI's path, if any. */
function databaseFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** How long a client waits; the defaults below, shorter in tests. */
export interface MongoTimeouts {
  readonly serverSelectionTimeoutMS?: number;
  readonly connectTimeoutMS?: number;
}

/** A client (not yet connected) with the platform's timeouts and read preference. */
export function createMongoClient(uri: string, timeouts: MongoTimeouts = {}): MongoClient {
  return new MongoClient(uri, {
    serverSelectionTimeoutMS: timeouts.serverSelectionTimeoutMS ?? SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: timeouts.connectTimeoutMS ?? CONNECT_TIMEOUT_MS,
    socketTimeoutMS: SOCKET_TIMEOUT_MS,
    // Optional fields left undefined are omitted instead of stored as null.
    ignoreUndefined: true,
    // Over the URI's (review): AWS's DocumentDB connection strings say
    // secondaryPreferred, and a transaction that reads must use the primary,
    // the outbox's "is an earlier job of this document pending" must not read
    // a lagging secondary, and an upload must be in the next listing.
    readPreference: 'primary',
  });
}

export async function connectMongo(uri: string, databaseName?: string): Promise<MongoConnection> {
  const client = createMongoClient(uri);
  try {
    await client.connect();
    const db = client.db(databaseName ?? databaseFromUri(uri) ?? 'docuthinker');
    await ensureMongoIndexes(db);
    return { client, db };
  } catch (error) {
    // A start that fails (a refused index build) leaves no pool or monitors behind.
    await client.close().catch(() => undefined);
    throw error;
  }
}

/** The text index of builds before the owner became its prefix. */
const UNSCOPED_TEXT_INDEX = 'documents_text';
/** Server codes for "nothing to drop": no such collection yet, or no such index. */
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

/**
 * Text search runs within one owner: with `ownerId` as an equality prefix of
 * the text index, a `$text` query scans only that owner's entries, whatever
 * other accounts hold (and MongoDB then requires the owner in every `$text`
 * query). A collection holds at most one text index, so the unscoped one of
 * earlier builds is dropped first.
 */
async function ensureOwnerTextIndex(db: Db): Promise<void> {
  const documents = db.collection(MONGO_COLLECTIONS.documents);
  await dropIndexIfPresent(documents, UNSCOPED_TEXT_INDEX);
  await documents.createIndex(
    { ownerId: 1, title: 'text', text: 'text' },
    {
      name: 'by_owner_text',
      weights: { title: 5, text: 1 },
      // No stemming or stop words: the same word semantics as the embedded FTS5 index.
      default_language: 'none',
    },
  );
}

async function ensureMongoIndexes(db: Db): Promise<void> {
  await Promise.all([
    db.collection(MONGO_COLLECTIONS.users).createIndex({ emailKey: 1 }, { unique: true }),
    db
      .collection(MONGO_COLLECTIONS.documents)
      .createIndex({ ownerId: 1, createdAt: -1, _id: -1 }, { name: 'by_owner_newest' }),
    ensureOwnerTextIndex(db),
    db
      .collection(MONGO_COLLECTIONS.chatSessions)
      .createIndex({ ownerId: 1, documentId: 1 }, { name: 'by_scope' }),
    ensureSessionActivityIndex(db),
    // The TTL monitor removes expired sessions in the background (about once a
    // minute); reads also filter on expiresAt, so expiry is exact.
    db
      .collection(MONGO_COLLECTIONS.chatSessions)
      .createIndex({ expiresAt: 1 }, { name: 'expiry', expireAfterSeconds: 0 }),
    db
      .collection(MONGO_COLLECTIONS.outboxJobs)
      .createIndex({ availableAt: 1, _id: 1 }, { name: 'by_due' }),
    // Claims look for due removals before index jobs (MongoOutboxStore.claim).
    db
      .collection(MONGO_COLLECTIONS.outboxJobs)
      .createIndex({ kind: 1, availableAt: 1, _id: 1 }, { name: 'by_kind_due' }),
    ensureOutboxOrderIndex(db),
  ]);
}

/**
 * Claims ask whether an earlier job of the same owner and document is
 * pending. The owner is part of the key because account purges all carry the
 * empty document id: keyed on the document alone, the check read every
 * owner's pending purges to find one. The older document-only index goes.
 */
async function ensureOutboxOrderIndex(db: Db): Promise<void> {
  const jobs = db.collection(MONGO_COLLECTIONS.outboxJobs);
  await jobs.createIndex(
    { documentId: 1, ownerId: 1, createdAt: 1, _id: 1 },
    { name: 'by_owner_document' },
  );
  await dropIndexIfPresent(jobs, 'by_document');
}

/**
 * An owner's sessions, most recently active first, as the listing pages
 * through them: by expiry, which every message renews. The creation-ordered
 * index of earlier builds goes.
 */
async function ensureSessionActivityIndex(db: Db): Promise<void> {
  const sessions = db.collection(MONGO_COLLECTIONS.chatSessions);
  await sessions.createIndex(
    { ownerId: 1, expiresAt: -1, _id: -1 },
    { name: 'by_owner_latest_activity' },
  );
  await dropIndexIfPresent(sessions, 'by_owner_newest');
}

async function dropIndexIfPresent(collection: Collection, name: string): Promise<void> {
  try {
    await collection.dropIndex(name);
  } catch (error) {
    const nothingToDrop =
      error instanceof MongoServerError &&
      (error.code === NAMESPACE_NOT_FOUND || error.code === INDEX_NOT_FOUND);
    if (!nothingToDrop) throw error;
  }
}

/** Runs `work` in a multi-document transaction, retried by the driver on transient errors. */
export function inMongoTransaction<T>(
  client: MongoClient,
  work: (session: ClientSession) => Promise<T>,
): Promise<T> {
  return client.withSession((session) => session.withTransaction(() => work(session)));
}

/** True for a duplicate-key error on `field`. */
export function isDuplicateKey(error: unknown, field: string): boolean {
  return (
    error instanceof MongoServerError &&
    error.code === 11000 &&
    Object.hasOwn((error.keyPattern ?? {}) as object, field)
  );
}
