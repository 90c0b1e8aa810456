import type Database from 'libsql';
import { indexDocumentTerms } from './libsql-owner-terms';

/** Bumped when a migration is added below; stored in SQLite's `user_version`. */
const SCHEMA_VERSION = 15;

const VERSION_1 = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  theme TEXT NOT NULL,
  social_media TEXT NOT NULL
);

-- seq is the stable integer rowid that the full-text index points at
-- (an implicit rowid may change on VACUUM).
CREATE TABLE documents (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  title TEXT NOT NULL,
  file_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  pages INTEGER,
  content_hash TEXT NOT NULL,
  text TEXT NOT NULL,
  html TEXT,
  summary TEXT NOT NULL,
  summary_degraded INTEGER NOT NULL,
  index_status TEXT NOT NULL,
  file_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX documents_by_owner_newest ON documents (owner_id, created_at DESC, id DESC);

CREATE VIRTUAL TABLE document_search USING fts5(
  title, text, content='documents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_search_insert AFTER INSERT ON documents BEGIN
  INSERT INTO document_search (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN
  INSERT INTO document_search (document_search, rowid, title, text)
  VALUES ('delete', old.seq, old.title, old.text);
END;
CREATE TRIGGER documents_search_update AFTER UPDATE OF title, text ON documents BEGIN
  INSERT INTO document_search (document_search, rowid, title, text)
  VALUES ('delete', old.seq, old.title, old.text);
  INSERT INTO document_search (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;

CREATE TABLE chat_sessions (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX chat_sessions_by_scope ON chat_sessions (owner_id, document_id);
CREATE INDEX chat_sessions_by_expiry ON chat_sessions (expires_at);

CREATE TABLE chat_messages (
  session_id TEXT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, position)
);

-- seq keeps claim order first-in-first-out among jobs due at the same time.
CREATE TABLE outbox_jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  file_key TEXT,
  attempts INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_expires_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX outbox_jobs_by_due ON outbox_jobs (available_at, seq);
`;

/**
 * Puts the owner into the full-text index as its own column, so a search asks
 * FTS5 for `owner_id : "<owner>" AND (<terms>)` and FTS5 intersects the
 * owner's posting list with the terms' ones: the rows a search ranks and
 * snippets are the owner's own, however many documents other accounts hold.
 * The owner column is last so that snippet(…, -1, …) prefers title or text on
 * a tie, and searches give it bm25 weight 0. The index is rebuilt from
 * `documents`, so databases written by version 1 keep every document findable.
 */
const VERSION_2 = `
DROP TRIGGER documents_search_insert;
DROP TRIGGER documents_search_delete;
DROP TRIGGER documents_search_update;
DROP TABLE document_search;

CREATE VIRTUAL TABLE document_search USING fts5(
  title, text, owner_id,
  content='documents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_search_insert AFTER INSERT ON documents BEGIN
  INSERT INTO document_search (rowid, title, text, owner_id)
  VALUES (new.seq, new.title, new.text, new.owner_id);
END;
CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN
  INSERT INTO document_search (document_search, rowid, title, text, owner_id)
  VALUES ('delete', old.seq, old.title, old.text, old.owner_id);
END;
CREATE TRIGGER documents_search_update AFTER UPDATE OF title, text, owner_id ON documents BEGIN
  INSERT INTO document_search (document_search, rowid, title, text, owner_id)
  VALUES ('delete', old.seq, old.title, old.text, old.owner_id);
  INSERT INTO document_search (rowid, title, text, owner_id)
  VALUES (new.seq, new.title, new.text, new.owner_id);
END;
INSERT INTO document_search (document_search) VALUES ('rebuild');
`;

/**
 * Marks are part of a token (the tokenizer's default splits words at them,
 * so "राम" was "र" and "म", and "रोम" found it: review); the terms written
 * into it are already folded (search-words.ts).
 */
const DOCUMENT_TERMS_TABLE = `
CREATE VIRTUAL TABLE document_terms USING fts5(
  title, text, content='', contentless_delete=1,
  tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
`;

/**
 * Version 2's owner column still left bm25 and prefix expansion reading every
 * owner's entries for a term. Version 3 replaces the index by one whose words
 * carry their owner's tag (see libsql-owner-terms.ts): a search reads only the
 * searching owner's entries. The store writes it with each document change
 * (SQL triggers cannot tag words); this migration fills it from `documents`.
 */
const VERSION_3 = `
DROP TRIGGER documents_search_insert;
DROP TRIGGER documents_search_delete;
DROP TRIGGER documents_search_update;
DROP TABLE document_search;
${DOCUMENT_TERMS_TABLE}`;

/**
 * Jobs of one document are claimed in the order they were written (see
 * LibsqlOutboxStore.claim): this index answers "is an earlier job of this
 * document still pending" without a scan.
 */
const VERSION_4 = `
CREATE INDEX outbox_jobs_by_document ON outbox_jobs (document_id, seq);
`;

/**
 * Account purges all carry the empty document id, so with version 4's index
 * the "earlier job" check read every pending purge of every owner, row by
 * row, to find one of the same owner (many erasures during a gateway outage
 * leave many delayed purges). Keying on the owner too answers it at once.
 */
const VERSION_5 = `
DROP INDEX outbox_jobs_by_document;
CREATE INDEX outbox_jobs_by_owner_document ON outbox_jobs (document_id, owner_id, seq);
`;

/** When the password last changed: older access tokens are refused (see UserRecord). */
const VERSION_6 = `
ALTER TABLE users ADD COLUMN tokens_valid_from INTEGER;
`;

/** An owner's sessions, newest first, as the listing pages through them. */
const VERSION_7 = `
CREATE INDEX IF NOT EXISTS chat_sessions_by_owner_newest ON chat_sessions (owner_id, created_at DESC, id DESC);
`;

/**
 * An owner's sessions, most recently active first: by expiry, which every
 * message renews. Version 7's creation-ordered index goes.
 */
const VERSION_8 = `
DROP INDEX IF EXISTS chat_sessions_by_owner_newest;
CREATE INDEX IF NOT EXISTS chat_sessions_by_owner_latest_activity ON chat_sessions (owner_id, expires_at DESC, id DESC);
`;

/**
 * Whether words deleted from `document_terms` still sit in its pages, owed a
 * merge (LibsqlDocumentStore.mergeDeletedTerms): written with each delete, in
 * its transaction, and cleared by the merge. Kept in memory before, a crash
 * between a delete and the merge at close left an erased document's words
 * in the file for good (found in review).
 */
const VERSION_13 = `
CREATE TABLE IF NOT EXISTS document_terms_merge_owed (id INTEGER PRIMARY KEY CHECK (id = 1));
`;

/**
 * A claim takes due removals (deletes and account purges) before due index
 * jobs (LibsqlOutboxStore.claim): this index finds the oldest due removal
 * without reading past every index job queued ahead of it.
 */
const VERSION_15 = `
CREATE INDEX IF NOT EXISTS outbox_jobs_removals_by_due ON outbox_jobs (available_at, seq) WHERE kind <> 'index';
`;

/**
 * Version 12 stores words with their combining marks, folded further, and
 * pairs of letters of unspaced scripts (search-words.ts), in a table whose
 * tokenizer keeps marks inside words: the index is written anew from
 * `documents`, as version 3 first wrote it. (Version 9 did the same with
 * the tokenizer that split words at their marks, version 10 kept nuktas,
 * version 11 kept Latin strokes and ligatures such as "ł" and "æ"; version
 * 14 reads words without the soft hyphens and joiners inside them, and is
 * this build's terms.)
 */
function rewriteDocumentTerms(db: Database.Database): void {
  db.exec(`DROP TABLE document_terms;${DOCUMENT_TERMS_TABLE}`);
  indexEveryDocument(db);
}

function migrateToVersion3(db: Database.Database): void {
  db.exec(VERSION_3);
  indexEveryDocument(db);
}

function indexEveryDocument(db: Database.Database): void {
  const documents = db
    .prepare('SELECT seq, owner_id, title, text FROM documents')
    .iterate() as Iterable<{
    seq: number;
    owner_id: string;
    title: string;
    text: string;
  }>;
  for (const row of documents) indexDocumentTerms(db, row.seq, row.owner_id, row.title, row.text);
}

function schemaVersion(db: Database.Database): number {
  // libsql's pragma() ignores `{ simple: true }`, so read the row instead.
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as {
    user_version: number;
  };
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the embedded database has schema version ${version}, newer than this build (${SCHEMA_VERSION})`,
    );
  }
  return version;
}

/** Creates or upgrades the schema in one transaction, so a crash never leaves half of it. */
export function migrateEmbeddedSchema(db: Database.Database): void {
  if (schemaVersion(db) === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process (API and worker share
    // the file) may have migrated between the first read and this one.
    const current = schemaVersion(db);
    if (current < 1) db.exec(VERSION_1);
    if (current < 2) db.exec(VERSION_2);
    if (current < 3) migrateToVersion3(db);
    if (current < 4) db.exec(VERSION_4);
    if (current < 5) db.exec(VERSION_5);
    if (current < 6) db.exec(VERSION_6);
    if (current < 7) db.exec(VERSION_7);
    if (current < 8) db.exec(VERSION_8);
    // Version 3 wrote the index with this build's terms already.
    if (current >= 3 && current < 14) rewriteDocumentTerms(db);
    if (current < 13) db.exec(VERSION_13);
    if (current < 15) db.exec(VERSION_15);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
