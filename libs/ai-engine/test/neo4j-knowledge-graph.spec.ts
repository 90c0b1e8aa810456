import { Neo4jContainer, type StartedNeo4jContainer } from '@testcontainers/neo4j';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { int, type Driver, type QueryConfig, type SessionConfig } from 'neo4j-driver';
import { Neo4jKnowledgeGraph } from '../src/graph/neo4j-knowledge-graph';
import type { GraphDocument } from '../src/graph/knowledge-graph';
import { announceSkipped, containerRuntimeUnavailableReason } from '@docuthinker/testing';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';

const unavailable = containerRuntimeUnavailableReason();

if (unavailable !== null) {
  // One visible line instead of a silent pass: this machine cannot run Neo4j.
  announceSkipped('Neo4j knowledge-graph contract suite', unavailable);
  describe.skip('KnowledgeGraph contract: Neo4j (testcontainers)', () => {
    it('needs a container runtime', () => undefined);
  });
} else {
  let container: StartedNeo4jContainer;

  beforeAll(async () => {
    container = await new Neo4jContainer('neo4j:5-community').start();
  }, 180000);

  afterAll(async () => {
    await container?.stop();
  });

  describeKnowledgeGraphContract('Neo4j (testcontainers)', async () => {
    const uri = new URL(container.getBoltUri());
    uri.username = container.getUsername();
    uri.password = container.getPassword();
    return Neo4jKnowledgeGraph.connect({ uri: uri.toString() });
  });
}

describe('Neo4j knowledge graph against a server that never answers', () => {
  it('gives up connecting within its acquisition timeout, not the driver default minute', async () => {
    // Accepts every connection and says nothing, as a stopped server's kernel does.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = performance.now();
    try {
      await expect(
        Neo4jKnowledgeGraph.connect({
          uri: `bolt://neo4j:secret@127.0.0.1:${port}`,
          acquisitionTimeoutMs: 1000,
        }),
      ).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

// What follows needs no server: a driver that records every session config
// and statement pins down the properties the contract suite cannot observe
// on a single test instance (locking, scoping, bookmark chaining).

interface RecordedRun {
  readonly query: string;
  readonly params: Record<string, unknown>;
}

type Rows = Array<Record<string, unknown>>;

const OWNER = 'owner-7f3a';
const DOCUMENT = 'document-91c2';

class RecordingDriver {
  /** Compared by identity: only the driver's own manager chains writes to executeQuery's reads. */
  readonly executeQueryBookmarkManager = { name: 'executeQuery bookmark manager' };
  readonly sessionConfigs: SessionConfig[] = [];
  readonly runs: RecordedRun[] = [];
  readonly reads: Array<{ query: string; config: QueryConfig }> = [];
  /** Statement counts of each executeWrite call, in order. */
  readonly transactions: number[] = [];
  closed = false;

  /** `answer` gives the rows of a statement; by default none. */
  constructor(private readonly answer: (query: string) => Rows = () => []) {}

  async verifyConnectivity(): Promise<void> {
    return undefined;
  }

  session(config: SessionConfig) {
    this.sessionConfigs.push(config);
    const tx = {
      run: async (query: string, params: Record<string, unknown> = {}) => {
        this.runs.push({ query, params });
        return { records: this.records(query) };
      },
    };
    return {
      executeWrite: async <T>(work: (transaction: typeof tx) => Promise<T>) => {
        const before = this.runs.length;
        try {
          return await work(tx);
        } finally {
          this.transactions.push(this.runs.length - before);
        }
      },
      close: async () => undefined,
    };
  }

  async executeQuery(query: string, _params: unknown, config: QueryConfig) {
    this.reads.push({ query, config });
    return { records: this.records(query) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Statements run after start-up, i.e. by replaceDocument/removeDocument/removeOwner. */
  writesAfter(startUp: number): RecordedRun[] {
    return this.runs.slice(startUp);
  }

  private records(query: string) {
    return this.answer(query).map((row) => ({ get: (key: string) => row[key] }));
  }
}

async function recordedGraph(answer?: (query: string) => Rows) {
  const driver = new RecordingDriver(answer);
  const graph = await Neo4jKnowledgeGraph.fromDriver(driver as unknown as Driver, 'graphdb');
  return { driver, graph, startUp: driver.runs.length };
}

/** Answers DETACH_MENTIONS with `previous` (unsorted, as a server may) and the prune with `removed`. */
function previouslyMentioned(previous: string[], removed = 0) {
  return (query: string): Rows => {
    if (/DELETE m\s+RETURN e\.key AS key/.test(query)) return previous.map((key) => ({ key }));
    if (query.includes('AS removed')) return [{ removed }];
    return [];
  };
}

const find = (runs: RecordedRun[], pattern: RegExp) =>
  runs.findIndex((run) => pattern.test(run.query));
const DETACH_MENTIONS = /-\[m:MENTIONS\]->[\s\S]*DELETE m/;
const LOCK_ENTITIES =
  /MATCH \(e:Entity \{ownerId: \$ownerId, key: key\}\)\s+SET e\._lock = true\s+REMOVE e\._lock\s*$/;
const DETACH_CO_OCCURRENCES =
  /\[r:CO_OCCURS\][\s\S]*SET r\.documentIds = \[id IN r\.documentIds WHERE id <> \$documentId\]/;
const LINK_ENTITIES = /MERGE \(d\)-\[m:MENTIONS\]->\(e\)/;
const PRUNE = /AS removed/;
const RESPELL = /SET e\.name = latest\.name, e\.type = latest\.type/;

const ERASE_DOCUMENTS = /MATCH \(d:Document \{ownerId: \$ownerId\}\)/;
const ERASE_ENTITIES = /MATCH \(e:Entity \{ownerId: \$ownerId\}\)/;

/** Answers each erase statement with the next of its batch sizes, then 0. */
function eraseBatches(documents: number[], entities: number[]) {
  const pending = { documents: [...documents], entities: [...entities] };
  return (query: string): Rows => {
    if (ERASE_DOCUMENTS.test(query)) return [{ removed: pending.documents.shift() ?? 0 }];
    if (ERASE_ENTITIES.test(query)) return [{ removed: pending.entities.shift() ?? 0 }];
    return [];
  };
}

const changedDocument: GraphDocument = {
  ownerId: OWNER,
  documentId: DOCUMENT,
  title: 'Changed',
  entities: [
    { key: 'vega', name: 'Vega', type: 'name', mentions: 1 },
    { key: 'acme', name: 'Acme', type: 'name', mentions: 3 },
  ],
  coOccurrences: [{ a: 'vega', b: 'acme', weight: 1 }],
};

describe('Neo4jKnowledgeGraph statements (recorded driver, no server)', () => {
  it('creates the identity constraints and the owner indexes at start-up', async () => {
    const { driver, startUp } = await recordedGraph();
    const schema = driver.runs.slice(0, startUp).map((run) => run.query);
    expect(schema).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^CREATE CONSTRAINT \w+ IF NOT EXISTS FOR \(d:Document\) REQUIRE \(d\.ownerId, d\.id\) IS UNIQUE$/,
        ),
        expect.stringMatching(
          /^CREATE CONSTRAINT \w+ IF NOT EXISTS FOR \(e:Entity\) REQUIRE \(e\.ownerId, e\.key\) IS UNIQUE$/,
        ),
        expect.stringMatching(
          /^CREATE INDEX \w+ IF NOT EXISTS FOR \(d:Document\) ON \(d\.ownerId\)$/,
        ),
        expect.stringMatching(
          /^CREATE INDEX \w+ IF NOT EXISTS FOR \(e:Entity\) ON \(e\.ownerId\)$/,
        ),
      ]),
    );
    expect(schema).toHaveLength(4);
  });

  it('closes the driver when start-up fails', async () => {
    const driver = new RecordingDriver();
    driver.verifyConnectivity = async () => {
      throw new Error('unreachable');
    };
    await expect(Neo4jKnowledgeGraph.fromDriver(driver as unknown as Driver)).rejects.toThrow(
      'unreachable',
    );
    expect(driver.closed).toBe(true);
  });

  it('opens every write session with the executeQuery bookmark manager, so reads chain after writes', async () => {
    const { driver, graph } = await recordedGraph(previouslyMentioned(['acme']));
    await graph.replaceDocument(changedDocument);
    await graph.removeDocument(OWNER, DOCUMENT);
    expect(driver.sessionConfigs.length).toBeGreaterThan(4);
    for (const config of driver.sessionConfigs) {
      expect(config.bookmarkManager).toBe(driver.executeQueryBookmarkManager);
      expect(config.defaultAccessMode).toBe('WRITE');
      expect(config.database).toBe('graphdb');
    }

    await graph.relatedDocuments(OWNER, DOCUMENT);
    await graph.topEntities(OWNER);
    await graph.stats(OWNER);
    expect(driver.reads).toHaveLength(3);
    for (const { config } of driver.reads) {
      // Left unset, executeQuery uses executeQueryBookmarkManager; null would opt out.
      expect(config).not.toHaveProperty('bookmarkManager');
      expect(config.routing).toBe('READ');
      expect(config.database).toBe('graphdb');
    }
  });

  it('replaceDocument locks, detaches and prunes only the entities the document mentioned before', async () => {
    const { driver, graph, startUp } = await recordedGraph(
      previouslyMentioned(['zeta', 'acme', 'orion', 'acme']),
    );
    expect(await graph.replaceDocument(changedDocument)).toEqual({ nodes: 3, edges: 3 });
    const runs = driver.writesAfter(startUp);

    const detach = find(runs, DETACH_MENTIONS);
    const lock = find(runs, LOCK_ENTITIES);
    const coOccurrences = find(runs, DETACH_CO_OCCURRENCES);
    const link = find(runs, LINK_ENTITIES);
    const prune = find(runs, PRUNE);
    // Keys are read off the old MENTIONS as they are deleted; each candidate
    // is locked before its edges are touched and before the orphan re-check.
    expect([detach, lock, coOccurrences, link, prune].every((index) => index >= 0)).toBe(true);
    expect(detach).toBeLessThan(lock);
    expect(lock).toBeLessThan(coOccurrences);
    expect(lock).toBeLessThan(prune);
    expect(link).toBeLessThan(prune);

    const previous = ['acme', 'orion', 'zeta'];
    expect(runs[lock]?.params).toEqual({ ownerId: OWNER, keys: previous });
    expect(runs[coOccurrences]?.params).toEqual({
      ownerId: OWNER,
      documentId: DOCUMENT,
      keys: previous,
    });
    // Acme is still mentioned, so only the dropped entities are candidates.
    expect(runs[prune]?.params).toEqual({ ownerId: OWNER, keys: ['orion', 'zeta'] });
    // Entities are linked in key order, the order every writer locks them in.
    const entities = runs[link]?.params['entities'] as Array<{ key: string }>;
    expect(entities.map((entity) => entity.key)).toEqual(['acme', 'vega']);
  });

  it('replaceDocument of a new document neither locks nor prunes anything', async () => {
    const { driver, graph, startUp } = await recordedGraph();
    await graph.replaceDocument(changedDocument);
    const runs = driver.writesAfter(startUp);
    expect(find(runs, LOCK_ENTITIES)).toBe(-1);
    expect(find(runs, DETACH_CO_OCCURRENCES)).toBe(-1);
    expect(find(runs, PRUNE)).toBe(-1);
    expect(find(runs, LINK_ENTITIES)).toBeGreaterThanOrEqual(0);
  });

  it('removeDocument locks the document, then prunes only what it mentioned and reports the count', async () => {
    const { driver, graph, startUp } = await recordedGraph(
      previouslyMentioned(['orion', 'acme'], 1),
    );
    expect(await graph.removeDocument(OWNER, DOCUMENT)).toEqual({ removedEntities: 1 });
    const runs = driver.writesAfter(startUp);
    expect(runs[0]?.query).toMatch(
      /MATCH \(d:Document \{ownerId: \$ownerId, id: \$documentId\}\)\s+SET d\._lock = true\s+REMOVE d\._lock/,
    );
    const lock = find(runs, LOCK_ENTITIES);
    const prune = find(runs, PRUNE);
    expect(lock).toBeGreaterThan(find(runs, DETACH_MENTIONS));
    expect(prune).toBeGreaterThan(lock);
    expect(runs[prune]?.params).toEqual({ ownerId: OWNER, keys: ['acme', 'orion'] });
  });

  it('removeDocument of a missing document prunes nothing', async () => {
    const { driver, graph, startUp } = await recordedGraph();
    expect(await graph.removeDocument(OWNER, DOCUMENT)).toEqual({ removedEntities: 0 });
    expect(find(driver.writesAfter(startUp), PRUNE)).toBe(-1);
  });

  it('respells the entities that lost a mention from their latest remaining one, after the prune, in the same transaction', async () => {
    const { driver, graph, startUp } = await recordedGraph(
      previouslyMentioned(['zeta', 'acme', 'orion']),
    );
    await graph.replaceDocument(changedDocument);
    await graph.removeDocument(OWNER, DOCUMENT);
    const runs = driver.writesAfter(startUp);
    const link = runs[find(runs, LINK_ENTITIES)]?.query ?? '';
    expect(link).toMatch(
      /SET m\.count = entity\.mentions, m\.name = entity\.name, m\.type = entity\.type,\s+m\.writtenAt = timestamp\(\)/,
    );
    const prunes = runs.flatMap((run, index) => (PRUNE.test(run.query) ? [index] : []));
    const respells = runs.flatMap((run, index) => (RESPELL.test(run.query) ? [index] : []));
    // One of each per write, the respell right after the prune on the same keys.
    expect(respells).toEqual(prunes.map((index) => index + 1));
    expect(respells.map((index) => runs[index]?.params)).toEqual([
      { ownerId: OWNER, keys: ['orion', 'zeta'] },
      { ownerId: OWNER, keys: ['acme', 'orion', 'zeta'] },
    ]);
    expect(driver.transactions.slice(-2).every((statements) => statements > 2)).toBe(true);
    expect(runs[respells[0] ?? -1]?.query).toMatch(
      /WHERE m\.name IS NOT NULL\s+WITH e, m ORDER BY m\.writtenAt DESC\s+WITH e, collect\(m\)\[0\] AS latest/,
    );
  });

  it('prunes a candidate only after re-checking its mentions, deleting its own edges and then the node without DETACH', async () => {
    const { driver, graph, startUp } = await recordedGraph(previouslyMentioned(['orion']));
    await graph.removeDocument(OWNER, DOCUMENT);
    const runs = driver.writesAfter(startUp);
    const prune = runs[find(runs, PRUNE)]?.query ?? '';
    const lines = prune
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    expect(lines).toEqual([
      'UNWIND $keys AS key',
      'MATCH (e:Entity {ownerId: $ownerId, key: key})',
      'WHERE NOT EXISTS { (:Document)-[:MENTIONS]->(e) }',
      'OPTIONAL MATCH (e)-[r:CO_OCCURS]-(:Entity)',
      'WITH e, collect(r) AS edges',
      'FOREACH (edge IN edges | DELETE edge)',
      'DELETE e',
      'RETURN count(*) AS removed',
    ]);
  });

  it('never scans the owner’s entities, and keeps every write parameterised and owner-filtered', async () => {
    const { driver, graph, startUp } = await recordedGraph(previouslyMentioned(['zeta', 'acme']));
    await graph.replaceDocument(changedDocument);
    await graph.removeDocument(OWNER, DOCUMENT);
    const runs = driver.writesAfter(startUp);
    // Both calls wrote (a replace and a removal): the checks below are not over nothing.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const { query, params } of runs) {
      // An Entity pattern that starts a MATCH must be looked up by key; one
      // with the owner alone would walk all of the owner's entities.
      expect(query).not.toMatch(/MATCH \(\w*:Entity \{ownerId: \$ownerId\}\)/);
      expect(query).not.toMatch(/DETACH DELETE e\b/);
      expect(query).toContain('ownerId: $ownerId');
      expect(params['ownerId']).toBe(OWNER);
      expect(query).not.toContain(OWNER);
      expect(query).not.toContain(DOCUMENT);
      if (/^\s*UNWIND \$keys/.test(query)) expect(params['keys']).toEqual(expect.any(Array));
    }
  });

  it('removeOwner erases the owner’s documents, then its entities, one batch per transaction', async () => {
    const { driver, graph, startUp } = await recordedGraph(
      eraseBatches([1000, 7], [1000, 1000, 2]),
    );
    const sessionsBefore = driver.sessionConfigs.length;
    const transactionsBefore = driver.transactions.length;
    expect(await graph.removeOwner(OWNER)).toEqual({
      removedDocuments: 1007,
      removedEntities: 2002,
    });
    const runs = driver.writesAfter(startUp);
    expect(runs.map((run) => (ERASE_DOCUMENTS.test(run.query) ? 'documents' : 'entities'))).toEqual(
      ['documents', 'documents', 'entities', 'entities', 'entities'],
    );
    // Each batch commits on its own, so a large owner never holds one huge transaction.
    expect(driver.transactions.slice(transactionsBefore)).toEqual([1, 1, 1, 1, 1]);
    for (const { params } of runs) {
      // A JavaScript number would reach Cypher as a float, which LIMIT rejects.
      expect(params).toEqual({ ownerId: OWNER, batch: int(1000) });
    }
    const shapes = [runs[0], runs[2]].map((run) =>
      (run?.query ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    );
    expect(shapes).toEqual([
      [
        'MATCH (d:Document {ownerId: $ownerId})',
        'WITH d LIMIT $batch',
        'DETACH DELETE d',
        'RETURN count(*) AS removed',
      ],
      [
        'MATCH (e:Entity {ownerId: $ownerId})',
        'WITH e LIMIT $batch',
        'DETACH DELETE e',
        'RETURN count(*) AS removed',
      ],
    ]);
    const sessions = driver.sessionConfigs.slice(sessionsBefore);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.bookmarkManager).toBe(driver.executeQueryBookmarkManager);
    expect(sessions[0]?.defaultAccessMode).toBe('WRITE');
    expect(sessions[0]?.database).toBe('graphdb');
  });

  it('removeOwner of an owner with nothing left stops after one empty batch of each', async () => {
    const { driver, graph, startUp } = await recordedGraph();
    expect(await graph.removeOwner(OWNER)).toEqual({ removedDocuments: 0, removedEntities: 0 });
    expect(driver.writesAfter(startUp)).toHaveLength(2);
  });

  it('removeOwner rejects a missing owner id before touching the graph', async () => {
    const { driver, graph, startUp } = await recordedGraph();
    await expect(graph.removeOwner(' ')).rejects.toThrow(TypeError);
    expect(driver.writesAfter(startUp)).toEqual([]);
  });
});
