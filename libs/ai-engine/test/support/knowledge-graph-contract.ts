import type { GraphDocument, GraphEntity, KnowledgeGraph } from '../../src/graph/knowledge-graph';

function entity(name: string, mentions = 1): GraphEntity {
  return { key: name.toLowerCase(), name, type: 'name', mentions };
}

function graphDocument(
  ownerId: string,
  documentId: string,
  names: string[],
  pairs: Array<[string, string]> = [],
): GraphDocument {
  return {
    ownerId,
    documentId,
    title: `Title of ${documentId}`,
    entities: names.map((name, index) => entity(name, names.length - index)),
    coOccurrences: pairs.map(([a, b]) => ({ a: a.toLowerCase(), b: b.toLowerCase(), weight: 1 })),
  };
}

/** The behaviour every KnowledgeGraph adapter must have; `open` gives an empty graph. */
export function describeKnowledgeGraphContract(
  adapter: string,
  open: () => Promise<KnowledgeGraph>,
): void {
  describe(`KnowledgeGraph contract: ${adapter}`, () => {
    let graph: KnowledgeGraph;

    beforeAll(async () => {
      graph = await open();
    });

    afterAll(async () => {
      await graph?.close();
    });

    it('writes a document idempotently and reports its nodes and edges', async () => {
      const document = graphDocument(
        'idem',
        'd1',
        ['Acme', 'Zeta', 'Orion'],
        [
          ['Acme', 'Zeta'],
          ['Acme', 'Orion'],
        ],
      );
      const first = await graph.replaceDocument(document);
      const second = await graph.replaceDocument(document);
      expect(first).toEqual({ nodes: 4, edges: 5 });
      expect(second).toEqual(first);
      expect(await graph.stats('idem')).toEqual({
        documents: 1,
        entities: 3,
        mentions: 3,
        coOccurrences: 2,
      });
    });

    it('replaces what a changed document mentions', async () => {
      await graph.replaceDocument(
        graphDocument('change', 'd1', ['Acme', 'Zeta'], [['Acme', 'Zeta']]),
      );
      await graph.replaceDocument(
        graphDocument('change', 'd1', ['Acme', 'Orion'], [['Acme', 'Orion']]),
      );
      expect(await graph.stats('change')).toEqual({
        documents: 1,
        entities: 2,
        mentions: 2,
        coOccurrences: 1,
      });
      expect((await graph.topEntities('change')).map((e) => e.name).sort()).toEqual([
        'Acme',
        'Orion',
      ]);
    });

    it('finds related documents through shared entities, with the entities they share', async () => {
      await graph.replaceDocument(
        graphDocument('rel', 'a', ['Apache', 'Licensor', 'Contributor', 'Patent']),
      );
      await graph.replaceDocument(
        graphDocument('rel', 'b', ['Licensor', 'Contributor', 'Mozilla']),
      );
      await graph.replaceDocument(graphDocument('rel', 'c', ['Patent', 'Regents']));
      await graph.replaceDocument(graphDocument('rel', 'd', ['Unrelated']));

      const related = await graph.relatedDocuments('rel', 'a');
      expect(related).toEqual([
        {
          documentId: 'b',
          title: 'Title of b',
          sharedEntities: ['Contributor', 'Licensor'],
          score: 2,
        },
        { documentId: 'c', title: 'Title of c', sharedEntities: ['Patent'], score: 1 },
      ]);
      expect(await graph.relatedDocuments('rel', 'd')).toEqual([]);
      expect(await graph.relatedDocuments('rel', 'missing')).toEqual([]);
      expect(await graph.relatedDocuments('rel', 'a', 1)).toHaveLength(1);
    });

    it('ranks an owner’s top entities by the documents that mention them', async () => {
      const top = await graph.topEntities('rel', 3);
      // Mentions break the tie between entities found in equally many documents.
      expect(top).toEqual([
        { key: 'licensor', name: 'Licensor', type: 'name', documents: 2, mentions: 6 },
        { key: 'contributor', name: 'Contributor', type: 'name', documents: 2, mentions: 4 },
        { key: 'patent', name: 'Patent', type: 'name', documents: 2, mentions: 3 },
      ]);
    });

    // Found in review: an entity kept the spelling and type it was first
    // written with, so a corrected document still showed the old name.
    it('shows the spelling and type of the latest write of an entity', async () => {
      await graph.replaceDocument(graphDocument('respell', 'a', ['Deepmind']));
      await graph.replaceDocument(graphDocument('respell', 'b', ['Deepmind']));
      // Document a is indexed again with the name corrected.
      await graph.replaceDocument({
        ...graphDocument('respell', 'a', []),
        entities: [{ key: 'deepmind', name: 'DeepMind', type: 'organization', mentions: 1 }],
      });
      expect(await graph.topEntities('respell')).toEqual([
        { key: 'deepmind', name: 'DeepMind', type: 'organization', documents: 2, mentions: 2 },
      ]);
      expect(await graph.relatedDocuments('respell', 'b')).toEqual([
        { documentId: 'a', title: 'Title of a', sharedEntities: ['DeepMind'], score: 1 },
      ]);
    });

    // Left alone before: taking away the document whose spelling won kept
    // showing that spelling, which no document of the owner held any more.
    it('shows the latest remaining spelling once the document that spelled an entity last is gone', async () => {
      const spelled = (documentId: string, name: string, type: 'organization' | 'name') => ({
        ...graphDocument('respell-gone', documentId, []),
        entities: [{ key: 'deepmind', name, type, mentions: 1 }],
      });
      await graph.replaceDocument(spelled('a', 'DeepMind', 'organization'));
      await graph.replaceDocument(spelled('b', 'Deep Mind', 'name'));
      await graph.replaceDocument(spelled('c', 'Deepmind', 'name'));
      const shown = async () =>
        (await graph.topEntities('respell-gone')).map(({ name, type }) => ({ name, type }));
      expect(await shown()).toEqual([{ name: 'Deepmind', type: 'name' }]);

      await graph.removeDocument('respell-gone', 'c');
      expect(await shown()).toEqual([{ name: 'Deep Mind', type: 'name' }]);
      // Re-indexed without the entity: b's spelling goes with its mention.
      await graph.replaceDocument(graphDocument('respell-gone', 'b', ['Orion']));
      expect(
        (await graph.topEntities('respell-gone')).map(({ key, name, type }) => [key, name, type]),
      ).toEqual([
        ['deepmind', 'DeepMind', 'organization'],
        ['orion', 'Orion', 'name'],
      ]);
    });

    it('removes a document with the nodes and edges no other document of the owner holds', async () => {
      await graph.replaceDocument(graphDocument('del', 'd1', ['Acme', 'Zeta'], [['Acme', 'Zeta']]));
      await graph.replaceDocument(
        graphDocument(
          'del',
          'd2',
          ['Acme', 'Zeta', 'Orion'],
          [
            ['Acme', 'Zeta'],
            ['Acme', 'Orion'],
          ],
        ),
      );
      await graph.replaceDocument(graphDocument('del', 'd3', ['Vega']));

      expect(await graph.removeDocument('del', 'd2')).toEqual({ removedEntities: 1 });
      // Acme–Zeta is still held by d1; Orion and Acme–Orion went with d2.
      expect(await graph.stats('del')).toEqual({
        documents: 2,
        entities: 3,
        mentions: 3,
        coOccurrences: 1,
      });
      expect((await graph.topEntities('del')).map((e) => e.name).sort()).toEqual([
        'Acme',
        'Vega',
        'Zeta',
      ]);

      expect(await graph.removeDocument('del', 'd1')).toEqual({ removedEntities: 2 });
      expect(await graph.stats('del')).toEqual({
        documents: 1,
        entities: 1,
        mentions: 1,
        coOccurrences: 0,
      });
      expect(await graph.removeDocument('del', 'd1')).toEqual({ removedEntities: 0 });
    });

    it('keeps owners apart, even with the same document ids and entity names', async () => {
      await graph.replaceDocument(
        graphDocument('alice', 'shared', ['Telescope', 'Orbit'], [['Orbit', 'Telescope']]),
      );
      await graph.replaceDocument(graphDocument('bob', 'shared', ['Tomato', 'Orbit']));
      await graph.replaceDocument(graphDocument('alice', 'second', ['Telescope']));
      await graph.replaceDocument(graphDocument('bob', 'other', ['Orbit']));

      expect((await graph.relatedDocuments('alice', 'shared')).map((r) => r.documentId)).toEqual([
        'second',
      ]);
      expect((await graph.relatedDocuments('bob', 'shared')).map((r) => r.documentId)).toEqual([
        'other',
      ]);
      expect((await graph.topEntities('bob')).map((e) => e.name).sort()).toEqual([
        'Orbit',
        'Tomato',
      ]);

      await graph.removeDocument('alice', 'shared');
      expect(await graph.stats('bob')).toEqual({
        documents: 2,
        entities: 2,
        mentions: 3,
        coOccurrences: 0,
      });
      expect((await graph.topEntities('alice')).map((e) => e.name)).toEqual(['Telescope']);
    });

    describe('removeOwner', () => {
      // `erase-a` is a prefix of `erase-ab`: an owner filter that matched by
      // prefix instead of equality would take B's graph with A's.
      const A = 'erase-a';
      const B = 'erase-ab';
      const bDocuments = ['b1', 'b2', 'b3'];

      async function snapshot(ownerId: string, documentIds: readonly string[]) {
        return {
          stats: await graph.stats(ownerId),
          top: await graph.topEntities(ownerId, 100),
          related: await Promise.all(
            documentIds.map((documentId) => graph.relatedDocuments(ownerId, documentId, 100)),
          ),
        };
      }

      let bBefore: Awaited<ReturnType<typeof snapshot>>;

      beforeAll(async () => {
        // Interleaved writes with the same entity names (and so the same
        // keys) and the same document ids under both owners.
        await graph.replaceDocument(
          graphDocument(A, 'b1', ['Acme', 'Zeta', 'Orion'], [['Acme', 'Zeta']]),
        );
        await graph.replaceDocument(
          graphDocument(
            B,
            'b1',
            ['Acme', 'Zeta', 'Vega'],
            [
              ['Acme', 'Zeta'],
              ['Acme', 'Vega'],
            ],
          ),
        );
        await graph.replaceDocument(
          graphDocument(A, 'a2', ['Acme', 'Orion', 'Lyra'], [['Lyra', 'Orion']]),
        );
        await graph.replaceDocument(graphDocument(B, 'b2', ['Zeta', 'Vega'], [['Vega', 'Zeta']]));
        await graph.replaceDocument(graphDocument(A, 'a3', ['Vega', 'Zeta']));
        await graph.replaceDocument(graphDocument(B, 'b3', ['Acme']));

        bBefore = await snapshot(B, bDocuments);
        // Pins B's graph down, so that wiping it too could not pass as "unchanged".
        expect(bBefore.stats).toEqual({ documents: 3, entities: 3, mentions: 6, coOccurrences: 3 });
        expect(bBefore.top.map((e) => [e.key, e.documents, e.mentions])).toEqual([
          ['acme', 2, 4],
          ['zeta', 2, 4],
          ['vega', 2, 2],
        ]);
        expect(bBefore.related[0]?.map((r) => r.documentId)).toEqual(['b2', 'b3']);
        expect(await graph.stats(A)).toEqual({
          documents: 3,
          entities: 5,
          mentions: 8,
          coOccurrences: 2,
        });
      });

      it('removes every document, entity and edge of the owner and reports the nodes', async () => {
        expect(await graph.removeOwner(A)).toEqual({ removedDocuments: 3, removedEntities: 5 });
        expect(await graph.stats(A)).toEqual({
          documents: 0,
          entities: 0,
          mentions: 0,
          coOccurrences: 0,
        });
        expect(await graph.topEntities(A)).toEqual([]);
        for (const documentId of ['b1', 'a2', 'a3']) {
          expect(await graph.relatedDocuments(A, documentId)).toEqual([]);
        }
      });

      it('leaves other owners exactly as they were, same names and document ids included', async () => {
        expect(await snapshot(B, bDocuments)).toEqual(bBefore);
      });

      it('is idempotent: a second call removes nothing', async () => {
        expect(await graph.removeOwner(A)).toEqual({ removedDocuments: 0, removedEntities: 0 });
        expect(await graph.removeOwner('erase-never-written')).toEqual({
          removedDocuments: 0,
          removedEntities: 0,
        });
        expect(await snapshot(B, bDocuments)).toEqual(bBefore);
      });

      it('lets the owner build a fresh graph afterwards, with nothing left over', async () => {
        expect(
          await graph.replaceDocument(
            graphDocument(A, 'a2', ['Orion', 'Acme'], [['Acme', 'Orion']]),
          ),
        ).toEqual({ nodes: 3, edges: 3 });
        await graph.replaceDocument(graphDocument(A, 'a4', ['Acme']));
        expect(await graph.stats(A)).toEqual({
          documents: 2,
          entities: 2,
          mentions: 3,
          coOccurrences: 1,
        });
        // Counts start from the new documents alone, not from the erased ones.
        expect(await graph.topEntities(A)).toEqual([
          { key: 'acme', name: 'Acme', type: 'name', documents: 2, mentions: 2 },
          { key: 'orion', name: 'Orion', type: 'name', documents: 1, mentions: 2 },
        ]);
        expect(await graph.relatedDocuments(A, 'a2')).toEqual([
          { documentId: 'a4', title: 'Title of a4', sharedEntities: ['Acme'], score: 1 },
        ]);
        expect(await graph.relatedDocuments(A, 'b1')).toEqual([]);
        expect(await snapshot(B, bDocuments)).toEqual(bBefore);
      });

      it('rejects a missing owner id like every other operation', async () => {
        await expect(graph.removeOwner('')).rejects.toThrow(TypeError);
        await expect(graph.removeOwner('   ')).rejects.toThrow(TypeError);
        expect(await snapshot(B, bDocuments)).toEqual(bBefore);
      });
    });
  });
}
