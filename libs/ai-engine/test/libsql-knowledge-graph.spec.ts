import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlKnowledgeGraph, PURGE_BATCH_ROWS } from '../src/graph/libsql-knowledge-graph';
import { openLibsql } from '../src/store/open-libsql';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';
import { expectPingFailsOnNearlyFullDisk } from './support/disk-space-readiness';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-libsql-graph-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeKnowledgeGraphContract('embedded libSQL', async () =>
  LibsqlKnowledgeGraph.open(join(dataDir, 'graph.db')),
);

describe('LibsqlKnowledgeGraph readiness', () => {
  it('fails its ping when the disk has less free space than it needs', async () => {
    const path = join(dataDir, 'disk-space.db');
    await expectPingFailsOnNearlyFullDisk((minFreeDiskBytes) =>
      LibsqlKnowledgeGraph.open(path, { minFreeDiskBytes }),
    );
  });
});

describe('LibsqlKnowledgeGraph erasure', () => {
  it('erases a large owner in batches, letting other work run in between, and only that owner', async () => {
    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'large-owner.db'));
    try {
      // Mentions for two and a half batches: the erasure yields at least twice.
      const entitiesPerDocument = 50;
      const documents = Math.ceil((2.5 * PURGE_BATCH_ROWS) / entitiesPerDocument);
      const entities = Array.from({ length: entitiesPerDocument }, (_, index) => ({
        key: `entity ${index}`,
        name: `Entity ${index}`,
        type: 'organization' as const,
        mentions: 1,
      }));
      const coOccurrences = [{ a: 'entity 0', b: 'entity 1', weight: 1 }];
      for (let document = 0; document < documents; document += 1) {
        await graph.replaceDocument({
          ownerId: 'large',
          documentId: `doc-${document}`,
          title: `Document ${document}`,
          entities,
          coOccurrences,
        });
      }
      await graph.replaceDocument({
        ownerId: 'neighbour',
        documentId: 'doc-0',
        title: 'Document 0',
        entities,
        coOccurrences,
      });
      const neighbourBefore = await graph.stats('neighbour');

      let settled = false;
      const removal = graph.removeOwner('large').finally(() => {
        settled = true;
      });
      // A callback queued now runs while the erasure is still under way.
      const ranDuringErasure = await new Promise<boolean>((resolve) =>
        setImmediate(() => resolve(!settled)),
      );
      expect(ranDuringErasure).toBe(true);
      expect(await removal).toEqual({
        removedDocuments: documents,
        removedEntities: entitiesPerDocument,
      });
      expect(await graph.stats('large')).toEqual({
        documents: 0,
        entities: 0,
        mentions: 0,
        coOccurrences: 0,
      });
      expect(await graph.stats('neighbour')).toEqual(neighbourBefore);
    } finally {
      await graph.close();
    }
  });
});

// Found in review: with 15,000 documents sharing 20 entities one call of
// relatedDocuments took 0.5 s and topEntities counted every mention, each a
// blocking call.
describe('LibsqlKnowledgeGraph over entities many documents share', () => {
  const entity = (name: string) => ({
    key: name.toLowerCase(),
    name,
    type: 'name' as const,
    mentions: 1,
  });
  const write = (graph: LibsqlKnowledgeGraph, documentId: string, names: string[]) =>
    graph.replaceDocument({
      ownerId: 'crowd',
      documentId,
      title: `Title of ${documentId}`,
      entities: names.map(entity),
      coOccurrences: [],
    });

  async function crowd(graph: LibsqlKnowledgeGraph): Promise<void> {
    await write(graph, 'probe', ['Alpha', 'Beta']);
    await write(graph, 'old-both', ['Alpha', 'Beta']);
    for (let document = 0; document < 30; document += 1) {
      await write(graph, `crowd-${String(document).padStart(2, '0')}`, ['Alpha']);
    }
  }

  it('relates a document through at most the latest documents per shared entity', async () => {
    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'crowd-capped.db'), {
      relatedPerEntity: 5,
    });
    try {
      await crowd(graph);
      const related = await graph.relatedDocuments('crowd', 'probe', 100);
      // Alpha's five latest documents, and Beta's only other one: not all 31 that share Alpha.
      expect(related.map(({ documentId, score }) => [documentId, score])).toEqual([
        ['crowd-25', 1],
        ['crowd-26', 1],
        ['crowd-27', 1],
        ['crowd-28', 1],
        ['crowd-29', 1],
        ['old-both', 1],
      ]);
    } finally {
      await graph.close();
    }
  });

  it('relates exactly while no entity is shared by more documents than it considers', async () => {
    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'crowd-exact.db'));
    try {
      await crowd(graph);
      const related = await graph.relatedDocuments('crowd', 'probe', 100);
      expect(related).toHaveLength(31);
      expect(related[0]).toEqual({
        documentId: 'old-both',
        title: 'Title of old-both',
        sharedEntities: ['Alpha', 'Beta'],
        score: 2,
      });
    } finally {
      await graph.close();
    }
  });

  it('ranks top entities from counts kept exact by every write, without reading the mentions', async () => {
    const path = join(dataDir, 'crowd-counts.db');
    const graph = LibsqlKnowledgeGraph.open(path);
    try {
      await crowd(graph);
      await write(graph, 'crowd-03', ['Alpha', 'Gamma']);
      await write(graph, 'crowd-04', ['Gamma']);
      await graph.removeDocument('crowd', 'crowd-05');
      await graph.replaceDocument({
        ownerId: 'crowd',
        documentId: 'probe',
        title: 'Title of probe',
        entities: [{ ...entity('Beta'), mentions: 7 }],
        coOccurrences: [],
      });
      const top = await graph.topEntities('crowd', 100);
      expect(top).toEqual([
        { key: 'alpha', name: 'Alpha', type: 'name', documents: 29, mentions: 29 },
        { key: 'beta', name: 'Beta', type: 'name', documents: 2, mentions: 8 },
        { key: 'gamma', name: 'Gamma', type: 'name', documents: 2, mentions: 2 },
      ]);

      // Another connection takes the mentions away: the ranking does not need them.
      const other = openLibsql(path);
      try {
        other.exec('DROP TABLE graph_mentions');
      } finally {
        other.close();
      }
      expect(await graph.topEntities('crowd', 100)).toEqual(top);
    } finally {
      await graph.close();
    }
  });
});

describe('LibsqlKnowledgeGraph files from before mentions kept their spelling', () => {
  it('opens them, keeps the shown name for old mentions and spells from new ones', async () => {
    const path = join(dataDir, 'before-spellings.db');
    const old = openLibsql(path);
    old.exec(`
      CREATE TABLE graph_documents (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, title TEXT NOT NULL,
        PRIMARY KEY (owner_id, document_id)
      );
      CREATE TABLE graph_entities (
        owner_id TEXT NOT NULL, entity_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
        PRIMARY KEY (owner_id, entity_key)
      );
      CREATE TABLE graph_mentions (
        owner_id TEXT NOT NULL, document_id TEXT NOT NULL, entity_key TEXT NOT NULL, mentions INTEGER NOT NULL,
        PRIMARY KEY (owner_id, document_id, entity_key)
      );
      INSERT INTO graph_documents VALUES ('o', 'a', 'A'), ('o', 'b', 'B');
      INSERT INTO graph_entities VALUES ('o', 'acme', 'ACME', 'organization');
      INSERT INTO graph_mentions VALUES ('o', 'a', 'acme', 1), ('o', 'b', 'acme', 1);
    `);
    old.close();

    const graph = LibsqlKnowledgeGraph.open(path);
    try {
      const shown = async () => (await graph.topEntities('o')).map(({ name }) => name);
      // Neither remaining mention has a spelling: the shown one stays.
      await graph.removeDocument('o', 'b');
      expect(await shown()).toEqual(['ACME']);
      await graph.replaceDocument({
        ownerId: 'o',
        documentId: 'c',
        title: 'C',
        entities: [{ key: 'acme', name: 'Acme', type: 'organization', mentions: 1 }],
        coOccurrences: [],
      });
      await graph.replaceDocument({
        ownerId: 'o',
        documentId: 'a',
        title: 'A',
        entities: [{ key: 'acme', name: 'ACME Corp', type: 'organization', mentions: 1 }],
        coOccurrences: [],
      });
      await graph.removeDocument('o', 'a');
      expect(await shown()).toEqual(['Acme']);
    } finally {
      await graph.close();
    }
  });
});
