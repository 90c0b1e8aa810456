import { setImmediate as nextTurn } from 'node:timers/promises';
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

  private constructor(private readonly db: LibsqlDatabase) {}

  static open(path: string): LibsqlKnowledgeGraph {
    const db = openLibsql(path);
    db.exec(`
      CREATE TABLE IF NOT EXISTS graph_documents (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, title TEXT NOT NULL,
        PRIMARY KEY (owner_id, document_id)
      );
      CREATE TABLE IF NOT EXISTS graph_entities (
        owner_id TEXT NOT NULL, entity_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
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
    return new LibsqlKnowledgeGraph(db);
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

  async relatedDocuments(
    ownerId: string,
    documentId: string,
    limit = 10,
  ): Promise<RelatedDocument[]> {
    assertOwner(ownerId);
    const rows = this.db
      .prepare(
        `SELECT other.document_id AS documentId, d.title AS title, COUNT(*) AS shared,
                GROUP_CONCAT(e.name, '${NAME_SEPARATOR}') AS names
         FROM graph_mentions mine
         JOIN graph_mentions other
           ON other.owner_id = mine.owner_id AND other.entity_key = mine.entity_key AND other.document_id <> mine.document_id
         JOIN graph_documents d ON d.owner_id = other.owner_id AND d.document_id = other.document_id
         JOIN graph_entities e ON e.owner_id = other.owner_id AND e.entity_key = other.entity_key
         WHERE mine.owner_id = ? AND mine.document_id = ?
         GROUP BY other.document_id, d.title
         ORDER BY shared DESC, other.document_id
         LIMIT ?`,
      )
      .all(ownerId, documentId, limit) as Array<{
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

  async topEntities(ownerId: string, limit = 20): Promise<EntitySummary[]> {
    assertOwner(ownerId);
    return this.db
      .prepare(
        `SELECT e.entity_key AS key, e.name AS name, e.type AS type,
                COUNT(m.document_id) AS documents, SUM(m.mentions) AS mentions
         FROM graph_entities e
         JOIN graph_mentions m ON m.owner_id = e.owner_id AND m.entity_key = e.entity_key
         WHERE e.owner_id = ?
         GROUP BY e.entity_key, e.name, e.type
         ORDER BY documents DESC, mentions DESC, e.name
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
