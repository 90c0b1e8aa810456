import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlKnowledgeGraph, PURGE_BATCH_ROWS } from '../src/graph/libsql-knowledge-graph';
import { openLibsql } from '../src/store/open-libsql';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-libsql-graph-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeKnowledgeGraphContract('embedded libSQL', async () =>
  LibsqlKnowledgeGraph.open(join(dataDir, 'graph.db')),
);

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
