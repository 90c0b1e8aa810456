import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import {
  EMBEDDED_DATABASE_FILE,
  createEmbeddedDataStores,
} from '../src/embedded/create-embedded-data-stores';
import { CLAIM_NEXT_DUE_JOB } from '../src/embedded/libsql-outbox-store';
import { chatSessionStoreContract } from './contracts/chat-session-store.contract';
import type { OpenDataStores } from './contracts/data-stores-factory';
import { documentStoreContract } from './contracts/document-store.contract';
import { outboxStoreContract } from './contracts/outbox-store.contract';
import { userStoreContract } from './contracts/user-store.contract';
import { ManualClock } from './support/manual-clock';
import { newOwnerId, sampleDocument } from './support/sample-documents';

describe('embedded libSQL data stores', () => {
  const root = mkdtempSync(join(tmpdir(), 'docuthinker-stores-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const open: OpenDataStores = async (clock) =>
    createEmbeddedDataStores({ dataDir: mkdtempSync(join(root, 'case-')), clock: clock.now });

  userStoreContract(open);
  documentStoreContract(open);
  chatSessionStoreContract(open);
  outboxStoreContract(open);

  it("reports unhealthy when the data directory's disk has less free space than it needs", async () => {
    const dataDir = mkdtempSync(join(root, 'disk-'));
    const roomy = createEmbeddedDataStores({ dataDir });
    const nearlyFull = createEmbeddedDataStores({
      dataDir,
      minFreeDiskBytes: Number.MAX_SAFE_INTEGER,
    });
    try {
      expect(await roomy.health()).toMatchObject({ ok: true, adapter: 'libsql' });
      expect(await nearlyFull.health()).toMatchObject({
        ok: false,
        adapter: 'libsql',
        error: expect.stringMatching(/^disk nearly full: /),
      });
    } finally {
      await Promise.all([roomy.close(), nearlyFull.close()]);
    }
  });

  it('shares one file between connections (API and worker): WAL on, each job leased once', async () => {
    const dataDir = mkdtempSync(join(root, 'shared-'));
    const clock = new ManualClock();
    const api = createEmbeddedDataStores({ dataDir, clock: clock.now });
    const worker = createEmbeddedDataStores({ dataDir, clock: clock.now });
    try {
      const document = await api.documents.create(sampleDocument('owner-1'));
      expect((await worker.documents.get('owner-1', document.id))?.id).toBe(document.id);
      const claims = await Promise.all([
        api.outbox.claim({ leaseMs: 1000 }),
        worker.outbox.claim({ leaseMs: 1000 }),
      ]);
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
      expect(existsSync(join(dataDir, 'docuthinker.db-wal'))).toBe(true);
    } finally {
      await api.close();
      await worker.close();
    }
  });
  it("finds due removals and an owner's earlier purge by index, not by reading every job", async () => {
    const dataDir = mkdtempSync(join(root, 'claim-plan-'));
    await createEmbeddedDataStores({ dataDir }).close();
    const db = new Database(join(dataDir, EMBEDDED_DATABASE_FILE));
    try {
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_NEXT_DUE_JOB}`).all(0, 0, 0) as {
          detail: string;
        }[]
      ).map((step) => step.detail);
      // Removals, which claims take first, are found without reading past queued index jobs.
      expect(plan).toContainEqual(
        expect.stringMatching(/^SEARCH due USING INDEX outbox_jobs_removals_by_due /),
      );
      // Purges all carry document id '': keyed on the document alone, the
      // lookup would match every owner's purge and filter them row by row.
      expect(plan).toContainEqual(
        expect.stringMatching(
          /^SEARCH earlier USING COVERING INDEX outbox_jobs_by_owner_document \(document_id=\? AND owner_id=\? AND seq<\?\)$/,
        ),
      );
    } finally {
      db.close();
    }
  });
  it('upgrades a version 1 database: the search index becomes owner-tagged and keeps every document', async () => {
    const dataDir = mkdtempSync(join(root, 'version-1-'));
    const owner = newOwnerId();
    const neighbour = newOwnerId();
    const written = createEmbeddedDataStores({ dataDir });
    const mine = await written.documents.create(
      sampleDocument(owner, { title: 'Harbour survey', text: 'Tides and moorings.' }),
    );
    const theirs = await written.documents.create(
      sampleDocument(neighbour, { title: 'Harbour survey', text: 'Tides and moorings.' }),
    );
    await written.close();

    // Put back the search index exactly as version 1 created it (and drop version 5's outbox index).
    const file = join(dataDir, EMBEDDED_DATABASE_FILE);
    const raw = new Database(file);
    raw.exec(`
      DROP INDEX outbox_jobs_by_owner_document;
      ALTER TABLE users DROP COLUMN tokens_valid_from;
      DROP TABLE document_terms;
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
      INSERT INTO document_search (document_search) VALUES ('rebuild');
      PRAGMA user_version = 1;
    `);
    raw.close();

    const upgraded = createEmbeddedDataStores({ dataDir });
    try {
      expect(
        (await upgraded.documents.searchContent(owner, 'moorings')).map((hit) => hit.id),
      ).toEqual([mine.id]);
      expect(
        (await upgraded.documents.searchTitles(neighbour, 'harbour')).map((hit) => hit.id),
      ).toEqual([theirs.id]);
      await upgraded.documents.update(owner, mine.id, { title: 'Quay survey' });
      await upgraded.documents.delete(neighbour, theirs.id);
      expect(await upgraded.documents.searchTitles(owner, 'quay')).toHaveLength(1);
      expect(await upgraded.documents.searchTitles(owner, 'harbour')).toEqual([]);
      expect(await upgraded.documents.searchContent(neighbour, 'moorings')).toEqual([]);
    } finally {
      await upgraded.close();
    }

    const check = new Database(file);
    try {
      expect(check.prepare('PRAGMA user_version').get()).toMatchObject({ user_version: 15 });
      // Version 13: whether deleted words await a merge is kept in the file.
      expect(
        check
          .prepare("SELECT name FROM sqlite_master WHERE name = 'document_terms_merge_owed'")
          .all(),
      ).toEqual([{ name: 'document_terms_merge_owed' }]);
      // Version 8: chat sessions are listed by latest activity (their expiry), not creation.
      const sessionIndexes = check
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chat_sessions'",
        )
        .all();
      expect(sessionIndexes).toContainEqual({ name: 'chat_sessions_by_owner_latest_activity' });
      expect(sessionIndexes).not.toContainEqual({ name: 'chat_sessions_by_owner_newest' });
      // Versions 4, 5 and 15: the outbox's per-owner, per-document order and its removals have their indexes.
      const outboxIndexes = check
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox_jobs'")
        .all();
      expect(outboxIndexes).toEqual(
        expect.arrayContaining([
          { name: 'outbox_jobs_by_owner_document' },
          { name: 'outbox_jobs_removals_by_due' },
        ]),
      );
      expect(outboxIndexes).not.toContainEqual({ name: 'outbox_jobs_by_document' });
      expect(() =>
        check.exec(
          "INSERT INTO document_terms (document_terms, rank) VALUES ('integrity-check', 1)",
        ),
      ).not.toThrow();
    } finally {
      check.close();
    }
  });
});
