import { setImmediate as nextTurn } from 'node:timers/promises';
import { databaseDiskSpaceCheck, type DiskSpaceCheck } from '@docuthinker/runtime';
import type { EntityType } from '../offline/named-entities';
import { openLibsql, type LibsqlDatabase } from '../store/open-libsql';
import { assertOwner } from '../retrieval/vector-index';
import type {
  EntitySummary,
  GraphDocument,
  GraphStats,
  GraphWriteResult,
  KnowledgeGraph,
  RelatedDocument,
} from './knowledge-graph';
import { compareCodeUnits } from '../text/code-unit-order';

const NAME_SEPARATOR = '\u001f';

/** Rows one transaction of an owner's erasure removes (see removeOwner). */
export const PURGE_BATCH_ROWS = 2000;

export interface LibsqlKnowledgeGraphOptions {
  /**
   * Other documents relatedDocuments considers per shared entity, the most
   * recently written first (see there).
   */
  readonly relatedPerEntity?: number;
  /** Below this much free space on the file's disk, ping (readiness) fails. */
  readonly minFreeDiskBytes?: number;
}

const RELATED_PER_ENTITY = 200;
/** Entities of a document relatedDocuments looks through, most mentioned first; documents hold 25 by default. */
const RELATED_ENTITIES = 100;

const OWNER_TABLES_LINKS_FIRST = [
  'graph_mentions',
  'graph_co_occurrences',
  'graph_documents',
  'graph_entities',
] as const;

/**
 * The embedded knowledge graph: node and edge tables in a libSQL file. An
 * entity or co-occurrence exists while at least one document of the owner
 * holds it; per-document rows make that exact on removal.
 */
export class LibsqlKnowledgeGraph implements KnowledgeGraph {
  readonly kind = 'libsql' as const;

  private constructor(
    private readonly db: LibsqlDatabase,
    private readonly relatedPerEntity: number,
    private readonly checkDiskSpace: DiskSpaceCheck,
  ) {}

  static open(path: string, options: LibsqlKnowledgeGraphOptions = {}): LibsqlKnowledgeGraph {
    const db = openLibsql(path);
    db.exec(`
      CREATE TABLE IF NOT EXISTS graph_documents (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, title TEXT NOT NULL,
        PRIMARY KEY (owner_id, document_id)
      );
      CREATE TABLE IF NOT EXISTS graph_entities (
        owner_id TEXT NOT NULL, entity_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
        documents INTEGER NOT NULL DEFAULT 0, mentions INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (owner_id, entity_key)
      );
      CREATE TABLE IF NOT EXISTS graph_mentions (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, entity_key TEXT NOT NULL, mentions INTEGER NOT NULL,
        name TEXT, type TEXT,
        PRIMARY KEY (owner_id, document_id, entity_key)
      );
      CREATE INDEX IF NOT EXISTS graph_mentions_by_entity ON graph_mentions (owner_id, entity_key);
      CREATE TABLE IF NOT EXISTS graph_co_occurrences (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, entity_a TEXT NOT NULL, entity_b TEXT NOT NULL,
        weight INTEGER NOT NULL,
        PRIMARY KEY (owner_id, document_id, entity_a, entity_b)
      );
    `);
    addMentionSpellings(db);
    countMentionsPerEntity(db);
    return new LibsqlKnowledgeGraph(
      db,
      Math.max(1, options.relatedPerEntity ?? RELATED_PER_ENTITY),
      databaseDiskSpaceCheck(path, options.minFreeDiskBytes),
    );
  }

  async replaceDocument(document: GraphDocument): Promise<GraphWriteResult> {
    const { ownerId, documentId } = document;
    assertOwner(ownerId);
    const write = this.db.transaction(() => {
      const previouslyMentioned = this.deleteDocumentRows(ownerId, documentId);
      this.db
        .prepare('INSERT INTO graph_documents (owner_id, document_id, title) VALUES (?, ?, ?)')
        .run(ownerId, documentId, document.title);
      // The latest write's spelling and type win: keeping the first ones
      // showed a name as it was before the document was corrected.
      const upsertEntity = this.db.prepare(
        `INSERT INTO graph_entities (owner_id, entity_key, name, type) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_id, entity_key) DO UPDATE SET name = excluded.name, type = excluded.type`,
      );
      // Each mention keeps the spelling its document used, for settleEntities.
      const insertMention = this.db.prepare(
        'INSERT INTO graph_mentions (owner_id, document_id, entity_key, mentions, name, type) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const entity of document.entities) {
        upsertEntity.run(ownerId, entity.key, entity.name, entity.type);
        insertMention.run(
          ownerId,
          documentId,
          entity.key,
          entity.mentions,
          entity.name,
          entity.type,
        );
      }
      const insertPair = this.db.prepare(
        'INSERT INTO graph_co_occurrences (owner_id, document_id, entity_a, entity_b, weight) VALUES (?, ?, ?, ?, ?)',
      );
      const known = new Set(document.entities.map((entity) => entity.key));
      let pairs = 0;
      for (const pair of document.coOccurrences) {
        if (!known.has(pair.a) || !known.has(pair.b)) continue;
        const [a, b] = pair.a < pair.b ? [pair.a, pair.b] : [pair.b, pair.a];
        insertPair.run(ownerId, documentId, a, b, pair.weight);
        pairs += 1;
      }
      // Entities the document still mentions were just written again.
      this.settleEntities(
        ownerId,
        previouslyMentioned.filter((key) => !known.has(key)),
      );
      return { nodes: 1 + document.entities.length, edges: document.entities.length + pairs };
    });
    return write() as GraphWriteResult;
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removedEntities: number }> {
    assertOwner(ownerId);
    const remove = this.db.transaction(() => {
      return this.settleEntities(ownerId, this.deleteDocumentRows(ownerId, documentId));
    });
    return { removedEntities: remove() as number };
  }

  /**
   * Erases the owner a batch of rows at a time, one transaction each, giving
   * the event loop a turn in between: one transaction over a large owner
   * blocked the gateway for as long as it took. Links go before the nodes
   * they join, so a reader meanwhile sees fewer links, never one to a
   * missing node. A purge cut short is retried by the backend's outbox and
   * carries on where it stopped.
   */
  async removeOwner(
    ownerId: string,
  ): Promise<{ removedDocuments: number; removedEntities: number }> {
    assertOwner(ownerId);
    const removed: Record<string, number> = {};
    for (const table of OWNER_TABLES_LINKS_FIRST) {
      // Every table's primary key starts with owner_id: each batch is an
      // index range on this owner alone.
      const removeBatch = this.db.prepare(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE owner_id = ? LIMIT ?)`,
      );
      removed[table] = 0;
      for (;;) {
        const { changes } = removeBatch.run(ownerId, PURGE_BATCH_ROWS);
        removed[table] += changes;
        if (changes < PURGE_BATCH_ROWS) break;
        await nextTurn();
      }
    }
    return {
      removedDocuments: removed['graph_documents'] ?? 0,
      removedEntities: removed['graph_entities'] ?? 0,
    };
  }

  /**
   * Looks at most at the RELATED_ENTITIES most mentioned entities of the
   * document and, per entity, at the `relatedPerEntity` other documents that
   * mention it written last: joining every document that shares an entity
   * made one call cost as much as the owner's whole graph (15,000 documents
   * sharing 20 entities took 0.5 s, blocking the process). Exact while no
   * entity is shared by more; past that, older documents count only through
   * entities fewer documents share.
   */
  async relatedDocuments(
    ownerId: string,
    documentId: string,
    limit = 10,
  ): Promise<RelatedDocument[]> {
    assertOwner(ownerId);
    // A mention's rowid grows with each insert: the largest are the latest writes.
    const rows = this.db
      .prepare(
        `WITH mine AS (
           SELECT entity_key FROM graph_mentions
           WHERE owner_id = ?1 AND document_id = ?2
           ORDER BY mentions DESC, entity_key
           LIMIT ?3
         ),
         shared AS (
           SELECT other.document_id, other.entity_key
           FROM mine JOIN graph_mentions other ON other.rowid IN (
             SELECT rowid FROM graph_mentions INDEXED BY graph_mentions_by_entity
             WHERE owner_id = ?1 AND entity_key = mine.entity_key AND document_id <> ?2
             ORDER BY rowid DESC
             LIMIT ?4
           )
         )
         SELECT s.document_id AS documentId, d.title AS title, COUNT(*) AS shared,
                GROUP_CONCAT(e.name, '${NAME_SEPARATOR}') AS names
         FROM shared s
         JOIN graph_documents d ON d.owner_id = ?1 AND d.document_id = s.document_id
         JOIN graph_entities e ON e.owner_id = ?1 AND e.entity_key = s.entity_key
         GROUP BY s.document_id, d.title
         ORDER BY shared DESC, s.document_id
         LIMIT ?5`,
      )
      .all(ownerId, documentId, RELATED_ENTITIES, this.relatedPerEntity, limit) as Array<{
      documentId: string;
      title: string;
      shared: number;
      names: string;
    }>;
    return rows.map((row) => ({
      documentId: row.documentId,
      title: row.title,
      sharedEntities: row.names.split(NAME_SEPARATOR).sort(compareCodeUnits),
      score: row.shared,
    }));
  }

  /**
   * Reads the counts each entity keeps (see countMentionsPerEntity) through
   * an index in rank order: `limit` rows, however large the owner's graph.
   * Counting the owner's mentions on every call cost as much as the graph.
   */
  async topEntities(ownerId: string, limit = 20): Promise<EntitySummary[]> {
    assertOwner(ownerId);
    return this.db
      .prepare(
        `SELECT entity_key AS key, name, type, documents, mentions
         FROM graph_entities INDEXED BY graph_entities_by_rank
         WHERE owner_id = ? AND documents > 0
         ORDER BY documents DESC, mentions DESC, name
         LIMIT ?`,
      )
      .all(ownerId, limit) as Array<{
      key: string;
      name: string;
      type: EntityType;
      documents: number;
      mentions: number;
    }>;
  }

  async stats(ownerId: string): Promise<GraphStats> {
    assertOwner(ownerId);
    const count = (sql: string) => (this.db.prepare(sql).get(ownerId) as { n: number }).n;
    return {
      documents: count('SELECT COUNT(*) AS n FROM graph_documents WHERE owner_id = ?'),
      entities: count('SELECT COUNT(*) AS n FROM graph_entities WHERE owner_id = ?'),
      mentions: count('SELECT COUNT(*) AS n FROM graph_mentions WHERE owner_id = ?'),
      coOccurrences: count(
        'SELECT COUNT(*) AS n FROM (SELECT DISTINCT entity_a, entity_b FROM graph_co_occurrences WHERE owner_id = ?)',
      ),
    };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    await this.checkDiskSpace();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Removes the document's rows; returns the entities it mentioned, the only ones that can be orphaned now. */
  private deleteDocumentRows(ownerId: string, documentId: string): string[] {
    const mentioned = (
      this.db
        .prepare('SELECT entity_key FROM graph_mentions WHERE owner_id = ? AND document_id = ?')
        .all(ownerId, documentId) as Array<{ entity_key: string }>
    ).map((row) => row.entity_key);
    for (const table of ['graph_documents', 'graph_mentions', 'graph_co_occurrences']) {
      this.db
        .prepare(`DELETE FROM ${table} WHERE owner_id = ? AND document_id = ?`)
        .run(ownerId, documentId);
    }
    return mentioned;
  }

  /**
   * Settles the entities a write or removal took mentions from (`entityKeys`):
   * one that no document of the owner mentions any more is deleted; one still
   * mentioned takes the spelling and type of its latest remaining mention
   * (the latest write wins, so the spelling of the document just taken away
   * may be the one shown). Only these entities are checked: scanning every
   * entity of the owner made each write cost more as the owner's graph grew.
   * Returns how many were deleted.
   */
  private settleEntities(ownerId: string, entityKeys: readonly string[]): number {
    const deleteIfUnmentioned = this.db.prepare(
      `DELETE FROM graph_entities WHERE owner_id = ? AND entity_key = ? AND NOT EXISTS (
         SELECT 1 FROM graph_mentions m WHERE m.owner_id = ? AND m.entity_key = ?
       )`,
    );
    // A mention's rowid grows with each insert, so the largest is the latest
    // write. Mentions stored before spellings were kept have none: skipped.
    const respell = this.db.prepare(
      `UPDATE graph_entities SET (name, type) = (
         SELECT m.name, m.type FROM graph_mentions m
         WHERE m.owner_id = ? AND m.entity_key = ? AND m.name IS NOT NULL
         ORDER BY m.rowid DESC LIMIT 1
       )
       WHERE owner_id = ? AND entity_key = ? AND EXISTS (
         SELECT 1 FROM graph_mentions m
         WHERE m.owner_id = ? AND m.entity_key = ? AND m.name IS NOT NULL
       )`,
    );
    let removed = 0;
    for (const key of entityKeys) {
      const deleted = deleteIfUnmentioned.run(ownerId, key, ownerId, key).changes;
      if (deleted === 0) respell.run(ownerId, key, ownerId, key, ownerId, key);
      removed += deleted;
    }
    return removed;
  }
}

/**
 * Graph files written before mentions kept their document's spelling have no
 * such columns: they are added (empty for the old rows, which a re-index fills).
 */
function addMentionSpellings(db: LibsqlDatabase): void {
  const columns = new Set(
    (db.prepare('PRAGMA table_info(graph_mentions)').all() as Array<{ name: string }>).map(
      (column) => column.name,
    ),
  );
  for (const column of ['name', 'type']) {
    if (!columns.has(column)) db.exec(`ALTER TABLE graph_mentions ADD COLUMN ${column} TEXT`);
  }
}

/**
 * Each entity counts the documents that mention it and their mentions, kept
 * exact by triggers on every insert and delete of a mention (mentions are
 * never updated), so topEntities reads them instead of counting. Files
 * written before have the counts added and filled in once, here.
 */
function countMentionsPerEntity(db: LibsqlDatabase): void {
  // The columns are read under the write lock: two processes opening an old
  // file at once would otherwise both add them, and one fail to start.
  const migrate = db.transaction(() => {
    const columns = new Set(
      (db.prepare('PRAGMA table_info(graph_entities)').all() as Array<{ name: string }>).map(
        (column) => column.name,
      ),
    );
    if (!columns.has('documents')) {
      db.exec(`
        ALTER TABLE graph_entities ADD COLUMN documents INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE graph_entities ADD COLUMN mentions INTEGER NOT NULL DEFAULT 0;
        UPDATE graph_entities SET (documents, mentions) = (
          SELECT COUNT(*), COALESCE(SUM(m.mentions), 0) FROM graph_mentions m
          WHERE m.owner_id = graph_entities.owner_id AND m.entity_key = graph_entities.entity_key
        );
      `);
    }
    db.exec(`
      CREATE INDEX IF NOT EXISTS graph_entities_by_rank
        ON graph_entities (owner_id, documents DESC, mentions DESC, name);
      CREATE TRIGGER IF NOT EXISTS graph_mentions_counted AFTER INSERT ON graph_mentions BEGIN
        UPDATE graph_entities SET documents = documents + 1, mentions = mentions + NEW.mentions
        WHERE owner_id = NEW.owner_id AND entity_key = NEW.entity_key;
      END;
      CREATE TRIGGER IF NOT EXISTS graph_mentions_uncounted AFTER DELETE ON graph_mentions BEGIN
        UPDATE graph_entities SET documents = documents - 1, mentions = mentions - OLD.mentions
        WHERE owner_id = OLD.owner_id AND entity_key = OLD.entity_key;
      END;
    `);
  });
  migrate.immediate();
}
