import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlKnowledgeGraph, PURGE_BATCH_ROWS } from '../src/graph/libsql-knowledge-graph';
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
