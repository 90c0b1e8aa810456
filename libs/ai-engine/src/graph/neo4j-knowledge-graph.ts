import type { Driver, ManagedTransaction } from 'neo4j-driver';

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

export interface Neo4jKnowledgeGraphOptions {
  /** `neo4j://`, `bolt://` (with `+s`/`+ssc`); credentials may sit in the URI's user info. */
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly database?: string;
}

const CONSTRAINTS = [
  'CREATE CONSTRAINT docuthinker_document_identity IF NOT EXISTS FOR (d:Document) REQUIRE (d.ownerId, d.id) IS UNIQUE',
  'CREATE CONSTRAINT docuthinker_entity_identity IF NOT EXISTS FOR (e:Entity) REQUIRE (e.ownerId, e.key) IS UNIQUE',
];

// The document's CO_OCCURS contributions are recorded in `r.documentIds`, so
// an edge lives exactly as long as some document of the owner supports it.
const DETACH_CO_OCCURRENCES = `
  MATCH (:Entity {ownerId: $ownerId})-[r:CO_OCCURS]->(:Entity {ownerId: $ownerId})
  WHERE $documentId IN r.documentIds
  SET r.documentIds = [id IN r.documentIds WHERE id <> $documentId]
  WITH r WHERE size(r.documentIds) = 0
  DELETE r`;

const PRUNE_ORPHAN_ENTITIES = `
  MATCH (e:Entity {ownerId: $ownerId})
  WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Document) }
  DETACH DELETE e
  RETURN count(*) AS removed`;

/**
 * The Neo4j adapter: `(:Document {ownerId, id, title})-[:MENTIONS {count}]->
 * (:Entity {ownerId, key, name, type})` and `(:Entity)-[:CO_OCCURS
 * {documentIds}]->(:Entity)`. Uniqueness constraints are created on connect,
 * writes are batched with UNWIND in one transaction, and every query is
 * parameterised and filtered by owner.
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
      { disableLosslessIntegers: true },
    );
    const graph = new Neo4jKnowledgeGraph(neo4j, driver, options.database);
    try {
      await driver.verifyConnectivity();
      for (const constraint of CONSTRAINTS) await graph.write((tx) => tx.run(constraint));
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
    const entities = document.entities.map((entity) => ({
      key: entity.key,
      name: entity.name,
      type: entity.type,
      mentions: this.neo4j.int(entity.mentions),
    }));
    await this.write(async (tx) => {
      const params = { ownerId, documentId };
      await tx.run(DETACH_CO_OCCURRENCES, params);
      await tx.run(
        `MERGE (d:Document {ownerId: $ownerId, id: $documentId})
         SET d.title = $title
         WITH d
         OPTIONAL MATCH (d)-[m:MENTIONS]->()
         DELETE m`,
        { ...params, title: document.title },
      );
      await tx.run(
        `MATCH (d:Document {ownerId: $ownerId, id: $documentId})
         UNWIND $entities AS entity
         MERGE (e:Entity {ownerId: $ownerId, key: entity.key})
           ON CREATE SET e.name = entity.name, e.type = entity.type
         MERGE (d)-[m:MENTIONS]->(e)
         SET m.count = entity.mentions`,
        { ...params, entities },
      );
      await tx.run(
        `UNWIND $pairs AS pair
         MATCH (a:Entity {ownerId: $ownerId, key: pair.a}), (b:Entity {ownerId: $ownerId, key: pair.b})
         MERGE (a)-[r:CO_OCCURS]->(b)
           ON CREATE SET r.documentIds = [$documentId]
           ON MATCH SET r.documentIds =
             CASE WHEN $documentId IN r.documentIds THEN r.documentIds ELSE r.documentIds + $documentId END`,
        { ...params, pairs },
      );
      await tx.run(PRUNE_ORPHAN_ENTITIES, params);
    });
    return { nodes: 1 + entities.length, edges: entities.length + pairs.length };
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removedEntities: number }> {
    assertOwner(ownerId);
    const removed = await this.write(async (tx) => {
      const params = { ownerId, documentId };
      await tx.run(DETACH_CO_OCCURRENCES, params);
      await tx.run(
        'MATCH (d:Document {ownerId: $ownerId, id: $documentId}) DETACH DELETE d',
        params,
      );
      const result = await tx.run(PRUNE_ORPHAN_ENTITIES, params);
      return Number(result.records[0]?.get('removed') ?? 0);
    });
    return { removedEntities: removed };
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
      { database: this.database, routing: this.neo4j.routing.READ },
    );
    return result.records.map((record) => ({
      documentId: record.get('documentId') as string,
      title: (record.get('title') as string | null) ?? '',
      sharedEntities: (record.get('shared') as string[]).sort((a, b) => a.localeCompare(b)),
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
      { database: this.database, routing: this.neo4j.routing.READ },
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
      { database: this.database, routing: this.neo4j.routing.READ },
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

  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: this.neo4j.session.WRITE,
    });
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }
}
