import type { Driver, ManagedTransaction, Session } from 'neo4j-driver';

// The driver is loaded when a graph connects, not when the gateway starts:
// embedded deployments never pay for it (about 150 ms of start-up).
type Neo4jModule = typeof import('neo4j-driver').default;
import type { EntityType } from '../offline/named-entities';
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

export interface Neo4jKnowledgeGraphOptions {
  /** `neo4j://`, `bolt://` (with `+s`/`+ssc`); credentials may sit in the URI's user info. */
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly database?: string;
  /** How long a session waits for a pooled connection, handshake included; 10 s by default. */
  readonly acquisitionTimeoutMs?: number;
}

/**
 * The driver's own defaults wait 60 s for a connection and never time a
 * query out client-side: a server that accepts connections and answers
 * nothing (stopped, or a black-holed path) held each connect attempt 60 s
 * and, once the pool's 100 connections hung, failed every graph call only
 * after a minute. A healthy server hands out a connection in milliseconds,
 * a fresh one after a TCP and Bolt handshake of a few round trips.
 */
const NEO4J_DRIVER_TIMEOUTS = {
  connectionTimeout: 5_000,
  acquisitionTimeoutMs: 10_000,
  // Retries of a transaction that failed transiently (a leader election) stop here.
  maxTransactionRetryTime: 15_000,
};

/**
 * A server-side bound on each read (review): related documents and top
 * entities aggregate over the owner's whole graph, and without a bound a
 * large owner's query ran for as long as it took while its request had long
 * given up. The server ends the transaction at this point.
 */
const READ_TRANSACTION_TIMEOUT_MS = 10_000;

// Run on every start-up; each statement is idempotent (IF NOT EXISTS).
const SCHEMA = [
  'CREATE CONSTRAINT docuthinker_document_identity IF NOT EXISTS FOR (d:Document) REQUIRE (d.ownerId, d.id) IS UNIQUE',
  'CREATE CONSTRAINT docuthinker_entity_identity IF NOT EXISTS FOR (e:Entity) REQUIRE (e.ownerId, e.key) IS UNIQUE',
  // stats() and topEntities() look nodes up by owner alone; the composite
  // constraint indexes above are not guaranteed to serve a lookup on their
  // first property only, so without these each call scans the label.
  'CREATE INDEX docuthinker_document_owner IF NOT EXISTS FOR (d:Document) ON (d.ownerId)',
  'CREATE INDEX docuthinker_entity_owner IF NOT EXISTS FOR (e:Entity) ON (e.ownerId)',
];

// Writing the document node takes its write lock, so two writes of the same
// document run one after the other from here on.
const UPSERT_DOCUMENT = `
  MERGE (d:Document {ownerId: $ownerId, id: $documentId})
  SET d.title = $title`;

// Setting and removing a property is the documented Cypher way to take a
// node's write lock without changing it (Operations Manual, "Lost updates");
// the lock is held until the transaction ends.
const LOCK_DOCUMENT = `
  MATCH (d:Document {ownerId: $ownerId, id: $documentId})
  SET d._lock = true
  REMOVE d._lock`;

// Returns the keys the document mentioned: the only entities this write can
// orphan, and the only ones whose CO_OCCURS edges can list the document.
const DETACH_MENTIONS = `
  MATCH (:Document {ownerId: $ownerId, id: $documentId})-[m:MENTIONS]->(e:Entity {ownerId: $ownerId})
  DELETE m
  RETURN e.key AS key`;

// `$keys` are sorted so that concurrent writers lock shared entities in the
// same order. The lock makes a later read of the entity's MENTIONS and
// CO_OCCURS edges see every other transaction's committed links to it, and
// keeps another transaction from deleting it until this one ends.
const LOCK_ENTITIES = `
  UNWIND $keys AS key
  MATCH (e:Entity {ownerId: $ownerId, key: key})
  SET e._lock = true
  REMOVE e._lock`;

// The document's CO_OCCURS contributions are recorded in `r.documentIds`, so
// an edge lives exactly as long as some document of the owner supports it.
// Edges are stored from the smaller key to the larger and the document only
// ever linked entities it mentioned, so starting from `$keys` (what it
// mentioned) reaches each of its edges once without scanning the owner.
const DETACH_CO_OCCURRENCES = `
  UNWIND $keys AS key
  MATCH (:Entity {ownerId: $ownerId, key: key})-[r:CO_OCCURS]->(:Entity {ownerId: $ownerId})
  WHERE $documentId IN r.documentIds
  SET r.documentIds = [id IN r.documentIds WHERE id <> $documentId]
  WITH r WHERE size(r.documentIds) = 0
  DELETE r`;

// The entities are locked in key order (`$entities` is sorted) before they
// are linked, so an orphan check in another transaction waits for this link
// instead of deleting the entity under it. The latest write's spelling and
// type win, as in the embedded graph: keeping the first ones showed a name as
// it was before the document was corrected. Each mention keeps its document's
// spelling and when it was written, for RESPELL_ENTITIES.
const LINK_ENTITIES = `
  MATCH (d:Document {ownerId: $ownerId, id: $documentId})
  UNWIND $entities AS entity
  MERGE (e:Entity {ownerId: $ownerId, key: entity.key})
  SET e.name = entity.name, e.type = entity.type
  SET e._lock = true
  REMOVE e._lock
  MERGE (d)-[m:MENTIONS]->(e)
  SET m.count = entity.mentions, m.name = entity.name, m.type = entity.type,
      m.writtenAt = timestamp()`;

const LINK_CO_OCCURRENCES = `
  UNWIND $pairs AS pair
  MATCH (a:Entity {ownerId: $ownerId, key: pair.a}), (b:Entity {ownerId: $ownerId, key: pair.b})
  MERGE (a)-[r:CO_OCCURS]->(b)
    ON CREATE SET r.documentIds = [$documentId]
    ON MATCH SET r.documentIds =
      CASE WHEN $documentId IN r.documentIds THEN r.documentIds ELSE r.documentIds + $documentId END`;

const DELETE_DOCUMENT = `
  MATCH (d:Document {ownerId: $ownerId, id: $documentId})
  DETACH DELETE d`;

// Runs after LOCK_ENTITIES($keys) in the same transaction, so the check reads
// every committed mention. Only edges of the orphan itself are removed (they
// can only be left over, as no document mentions it), and the node goes with
// a plain DELETE: should a link the check did not see exist after all, the
// transaction fails instead of silently taking that link with it.
const PRUNE_ORPHAN_ENTITIES = `
  UNWIND $keys AS key
  MATCH (e:Entity {ownerId: $ownerId, key: key})
  WHERE NOT EXISTS { (:Document)-[:MENTIONS]->(e) }
  OPTIONAL MATCH (e)-[r:CO_OCCURS]-(:Entity)
  WITH e, collect(r) AS edges
  FOREACH (edge IN edges | DELETE edge)
  DELETE e
  RETURN count(*) AS removed`;

// Runs after PRUNE_ORPHAN_ENTITIES on the same (locked) keys: an entity that
// lost a mention and is still mentioned takes the spelling and type of its
// latest remaining mention, since the one taken away may have been the one
// shown. Mentions written before spellings were kept have none: skipped.
const RESPELL_ENTITIES = `
  UNWIND $keys AS key
  MATCH (e:Entity {ownerId: $ownerId, key: key})<-[m:MENTIONS]-(:Document {ownerId: $ownerId})
  WHERE m.name IS NOT NULL
  WITH e, m ORDER BY m.writtenAt DESC
  WITH e, collect(m)[0] AS latest
  SET e.name = latest.name, e.type = latest.type`;

// Account erasure deletes the owner's nodes a batch per transaction, so a
// large owner never builds one transaction holding its whole graph. The
// batches are a loop of executeWrite calls, not `CALL { } IN TRANSACTIONS`:
// that needs an auto-commit transaction and so would lose executeWrite's
// retry on transient errors. Each batch is safe to retry or resume.
const ERASE_BATCH = 1000;

// Documents go first: each takes at most its own MENTIONS with it (capped per
// document when the graph is built), so the entities deleted afterwards carry
// only their CO_OCCURS edges. DETACH, unlike the orphan prune, is wanted here:
// whatever edge an owner node still has belongs to the graph being erased.
const ERASE_OWNER_DOCUMENTS = `
  MATCH (d:Document {ownerId: $ownerId})
  WITH d LIMIT $batch
  DETACH DELETE d
  RETURN count(*) AS removed`;

const ERASE_OWNER_ENTITIES = `
  MATCH (e:Entity {ownerId: $ownerId})
  WITH e LIMIT $batch
  DETACH DELETE e
  RETURN count(*) AS removed`;

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Neo4j adapter: `(:Document {ownerId, id, title})-[:MENTIONS {count}]->
 * (:Entity {ownerId, key, name, type})` and `(:Entity)-[:CO_OCCURS
 * {documentIds}]->(:Entity)`, stored from the smaller entity key to the
 * larger. Uniqueness constraints and owner indexes are created on connect,
 * a document's writes are batched with UNWIND in one transaction (erasing an
 * owner takes a transaction per batch of nodes), and every query is
 * parameterised and filtered by owner. Writes share the bookmark manager of
 * `executeQuery`, which serves the reads, so on a cluster a read after a
 * write sees it.
 */
export class Neo4jKnowledgeGraph implements KnowledgeGraph {
  readonly kind = 'neo4j' as const;

  private constructor(
    private readonly neo4j: Neo4jModule,
    private readonly driver: Driver,
    private readonly database: string | undefined,
  ) {}

  static async connect(options: Neo4jKnowledgeGraphOptions): Promise<Neo4jKnowledgeGraph> {
    const { default: neo4j } = await import('neo4j-driver');
    const url = new URL(options.uri);
    const username = options.username ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    const driver = neo4j.driver(
      url.toString().replace(/\/$/, ''),
      username ? neo4j.auth.basic(username, password) : undefined,
      {
        disableLosslessIntegers: true,
        connectionTimeout: NEO4J_DRIVER_TIMEOUTS.connectionTimeout,
        connectionAcquisitionTimeout:
          options.acquisitionTimeoutMs ?? NEO4J_DRIVER_TIMEOUTS.acquisitionTimeoutMs,
        maxTransactionRetryTime: NEO4J_DRIVER_TIMEOUTS.maxTransactionRetryTime,
      },
    );
    return Neo4jKnowledgeGraph.fromDriver(driver, options.database);
  }

  /**
   * @internal Wraps a driver `connect` has built: checks connectivity and
   * creates the schema, closing the driver if either fails. Separate so that
   * tests can hand in a driver that records what the adapter sends.
   */
  static async fromDriver(driver: Driver, database?: string): Promise<Neo4jKnowledgeGraph> {
    const { default: neo4j } = await import('neo4j-driver');
    const graph = new Neo4jKnowledgeGraph(neo4j, driver, database);
    try {
      await driver.verifyConnectivity();
      for (const statement of SCHEMA) await graph.write((tx) => tx.run(statement));
    } catch (error) {
      await driver.close();
      throw error;
    }
    return graph;
  }

  async replaceDocument(document: GraphDocument): Promise<GraphWriteResult> {
    const { ownerId, documentId } = document;
    assertOwner(ownerId);
    const known = new Set(document.entities.map((entity) => entity.key));
    const pairs = document.coOccurrences
      .filter((pair) => known.has(pair.a) && known.has(pair.b))
      .map((pair) => (pair.a < pair.b ? { a: pair.a, b: pair.b } : { a: pair.b, b: pair.a }));
    const entities = [...document.entities]
      .sort((a, b) => byKey(a.key, b.key))
      .map((entity) => ({
        key: entity.key,
        name: entity.name,
        type: entity.type,
        mentions: this.neo4j.int(entity.mentions),
      }));
    await this.write(async (tx) => {
      const params = { ownerId, documentId };
      await tx.run(UPSERT_DOCUMENT, { ...params, title: document.title });
      const previous = await this.detachDocument(tx, ownerId, documentId);
      await tx.run(LINK_ENTITIES, { ...params, entities });
      await tx.run(LINK_CO_OCCURRENCES, { ...params, pairs });
      // Entities the document still mentions were just linked again.
      const dropped = previous.filter((key) => !known.has(key));
      if (dropped.length > 0) await this.settleEntities(tx, ownerId, dropped);
    });
    return { nodes: 1 + entities.length, edges: entities.length + pairs.length };
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removedEntities: number }> {
    assertOwner(ownerId);
    const removed = await this.write(async (tx) => {
      const params = { ownerId, documentId };
      await tx.run(LOCK_DOCUMENT, params);
      const previous = await this.detachDocument(tx, ownerId, documentId);
      await tx.run(DELETE_DOCUMENT, params);
      if (previous.length === 0) return 0;
      return this.settleEntities(tx, ownerId, previous);
    });
    return { removedEntities: removed };
  }

  async removeOwner(
    ownerId: string,
  ): Promise<{ removedDocuments: number; removedEntities: number }> {
    assertOwner(ownerId);
    const session = this.openWriteSession();
    try {
      const removedDocuments = await this.eraseInBatches(session, ERASE_OWNER_DOCUMENTS, ownerId);
      const removedEntities = await this.eraseInBatches(session, ERASE_OWNER_ENTITIES, ownerId);
      return { removedDocuments, removedEntities };
    } finally {
      await session.close();
    }
  }

  async relatedDocuments(
    ownerId: string,
    documentId: string,
    limit = 10,
  ): Promise<RelatedDocument[]> {
    assertOwner(ownerId);
    const result = await this.driver.executeQuery(
      `MATCH (d:Document {ownerId: $ownerId, id: $documentId})-[:MENTIONS]->(e:Entity {ownerId: $ownerId})
             <-[:MENTIONS]-(other:Document {ownerId: $ownerId})
       WHERE other.id <> $documentId
       WITH other, collect(e.name) AS shared
       RETURN other.id AS documentId, other.title AS title, shared, size(shared) AS score
       ORDER BY score DESC, documentId
       LIMIT $limit`,
      { ownerId, documentId, limit: this.neo4j.int(limit) },
      {
        database: this.database,
        routing: this.neo4j.routing.READ,
        transactionConfig: { timeout: READ_TRANSACTION_TIMEOUT_MS },
      },
    );
    return result.records.map((record) => ({
      documentId: record.get('documentId') as string,
      title: (record.get('title') as string | null) ?? '',
      sharedEntities: (record.get('shared') as string[]).sort(compareCodeUnits),
      score: Number(record.get('score')),
    }));
  }

  async topEntities(ownerId: string, limit = 20): Promise<EntitySummary[]> {
    assertOwner(ownerId);
    const result = await this.driver.executeQuery(
      `MATCH (e:Entity {ownerId: $ownerId})<-[m:MENTIONS]-(:Document {ownerId: $ownerId})
       RETURN e.key AS key, e.name AS name, e.type AS type, count(m) AS documents, sum(m.count) AS mentions
       ORDER BY documents DESC, mentions DESC, name
       LIMIT $limit`,
      { ownerId, limit: this.neo4j.int(limit) },
      {
        database: this.database,
        routing: this.neo4j.routing.READ,
        transactionConfig: { timeout: READ_TRANSACTION_TIMEOUT_MS },
      },
    );
    return result.records.map((record) => ({
      key: record.get('key') as string,
      name: record.get('name') as string,
      type: record.get('type') as EntityType,
      documents: Number(record.get('documents')),
      mentions: Number(record.get('mentions')),
    }));
  }

  async stats(ownerId: string): Promise<GraphStats> {
    assertOwner(ownerId);
    const result = await this.driver.executeQuery(
      `CALL { MATCH (d:Document {ownerId: $ownerId}) RETURN count(d) AS documents }
       CALL { MATCH (e:Entity {ownerId: $ownerId}) RETURN count(e) AS entities }
       CALL { MATCH (:Document {ownerId: $ownerId})-[m:MENTIONS]->() RETURN count(m) AS mentions }
       CALL { MATCH (:Entity {ownerId: $ownerId})-[r:CO_OCCURS]->() RETURN count(r) AS coOccurrences }
       RETURN documents, entities, mentions, coOccurrences`,
      { ownerId },
      {
        database: this.database,
        routing: this.neo4j.routing.READ,
        transactionConfig: { timeout: READ_TRANSACTION_TIMEOUT_MS },
      },
    );
    const record = result.records[0];
    const read = (key: string) => Number(record?.get(key) ?? 0);
    return {
      documents: read('documents'),
      entities: read('entities'),
      mentions: read('mentions'),
      coOccurrences: read('coOccurrences'),
    };
  }

  async ping(): Promise<void> {
    await this.driver.verifyConnectivity();
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /**
   * Deletes the document's MENTIONS, locks the entities they pointed at and
   * takes the document off their CO_OCCURS edges. Returns those entities'
   * keys, sorted: the candidates for pruning once the write is done.
   */
  private async detachDocument(
    tx: ManagedTransaction,
    ownerId: string,
    documentId: string,
  ): Promise<string[]> {
    const result = await tx.run(DETACH_MENTIONS, { ownerId, documentId });
    const keys = [...new Set(result.records.map((record) => record.get('key') as string))].sort(
      byKey,
    );
    if (keys.length > 0) {
      await tx.run(LOCK_ENTITIES, { ownerId, keys });
      await tx.run(DETACH_CO_OCCURRENCES, { ownerId, documentId, keys });
    }
    return keys;
  }

  /**
   * Deletes those of the locked `keys` that no document mentions any more and
   * respells the others from their latest remaining mention; returns how
   * many were deleted.
   */
  private async settleEntities(
    tx: ManagedTransaction,
    ownerId: string,
    keys: readonly string[],
  ): Promise<number> {
    const pruned = await tx.run(PRUNE_ORPHAN_ENTITIES, { ownerId, keys });
    await tx.run(RESPELL_ENTITIES, { ownerId, keys });
    return Number(pruned.records[0]?.get('removed') ?? 0);
  }

  /**
   * Runs `statement` (which deletes at most `$batch` nodes and returns their
   * count as `removed`) one transaction at a time until a batch comes back
   * short, i.e. nothing of the owner matched any more; returns the total.
   */
  private async eraseInBatches(session: Session, statement: string, ownerId: string) {
    const params = { ownerId, batch: this.neo4j.int(ERASE_BATCH) };
    let total = 0;
    for (;;) {
      const removed = await session.executeWrite(async (tx) => {
        const result = await tx.run(statement, params);
        return Number(result.records[0]?.get('removed') ?? 0);
      });
      total += removed;
      if (removed < ERASE_BATCH) return total;
    }
  }

  private openWriteSession(): Session {
    return this.driver.session({
      database: this.database,
      defaultAccessMode: this.neo4j.session.WRITE,
      // The manager executeQuery uses for the reads: each write's bookmark
      // joins it, so a later read waits until its server has that write.
      bookmarkManager: this.driver.executeQueryBookmarkManager,
    });
  }

  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.openWriteSession();
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }
}
