import type { EntityType } from '../offline/named-entities';

export interface GraphEntity {
  /** Identity within an owner: the NFKC-folded, lower-cased name (see extractEntityMentions). */
  readonly key: string;
  readonly name: string;
  readonly type: EntityType;
  /** How often the document mentions it. */
  readonly mentions: number;
}

export interface CoOccurrence {
  /** Entity keys, `a < b`. */
  readonly a: string;
  readonly b: string;
  /** Sentences of the document in which both appear. */
  readonly weight: number;
}

export interface GraphDocument {
  readonly ownerId: string;
  readonly documentId: string;
  readonly title: string;
  readonly entities: readonly GraphEntity[];
  readonly coOccurrences: readonly CoOccurrence[];
}

export interface GraphWriteResult {
  /** The document node plus its entity nodes. */
  readonly nodes: number;
  /** MENTIONS plus CO_OCCURS edges this document contributes. */
  readonly edges: number;
}

export interface RelatedDocument {
  readonly documentId: string;
  readonly title: string;
  /** Names of the entities both documents mention, alphabetical. */
  readonly sharedEntities: readonly string[];
  readonly score: number;
}

export interface EntitySummary {
  readonly key: string;
  readonly name: string;
  readonly type: EntityType;
  /** Documents of the owner that mention it. */
  readonly documents: number;
  readonly mentions: number;
}

export interface GraphStats {
  readonly documents: number;
  readonly entities: number;
  readonly mentions: number;
  /** Distinct CO_OCCURS edges. */
  readonly coOccurrences: number;
}

/**
 * The knowledge-graph port: (Document)-[:MENTIONS]->(Entity) and
 * (Entity)-[:CO_OCCURS]->(Entity), all scoped to one owner. Adapters:
 * `LibsqlKnowledgeGraph` (embedded) and `Neo4jKnowledgeGraph`.
 */
export interface KnowledgeGraph {
  readonly kind: 'libsql' | 'neo4j';
  /** Makes the document's node and edges exactly these (idempotent). */
  replaceDocument(document: GraphDocument): Promise<GraphWriteResult>;
  /** Removes the document and every entity and edge no other document of the owner still holds. */
  removeDocument(ownerId: string, documentId: string): Promise<{ removedEntities: number }>;
  /**
   * Removes the owner's whole graph: every document and entity node and every
   * edge (account erasure); idempotent. Other owners' graphs stay as they are.
   */
  removeOwner(ownerId: string): Promise<{ removedDocuments: number; removedEntities: number }>;
  relatedDocuments(ownerId: string, documentId: string, limit?: number): Promise<RelatedDocument[]>;
  topEntities(ownerId: string, limit?: number): Promise<EntitySummary[]>;
  /** What the owner's graph holds, for readiness details and tests. */
  stats(ownerId: string): Promise<GraphStats>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
