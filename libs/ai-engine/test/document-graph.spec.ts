import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocumentGraph } from '../src/graph/document-graph';
import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-document-graph-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the graph a document contributes', () => {
  // Found in review: the title was read as text, so two unrelated documents
  // titled "Meeting Notes" were related through the entity "Meeting Notes".
  it('takes no entity from the title, so a common title relates no documents', async () => {
    const budget = buildDocumentGraph(
      'owner',
      'budget',
      'Meeting Notes',
      'Alice Smith presented the budget. Acme Corporation approved it.',
    );
    const garden = buildDocumentGraph(
      'owner',
      'garden',
      'Meeting Notes',
      'The committee discussed the garden in Berlin with Maria Gonzalez.',
    );
    expect(budget.title).toBe('Meeting Notes');
    expect(budget.entities.map((entity) => entity.key)).toEqual([
      'alice smith',
      'acme corporation',
    ]);
    expect(garden.entities.map((entity) => entity.key)).toEqual(['berlin', 'maria gonzalez']);

    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'titles.db'));
    try {
      await graph.replaceDocument(budget);
      await graph.replaceDocument(garden);
      expect(await graph.relatedDocuments('owner', 'budget')).toEqual([]);
    } finally {
      await graph.close();
    }
  });

  // The gateway relates documents through a name their titles give
  // ("Analytical Engine"), which the text runs on into a longer one.
  it('counts a name of the title where the text mentions it inside a longer name', () => {
    const document = buildDocumentGraph(
      'owner',
      'engine',
      'The Analytical Engine',
      'The Analytical Engine of Charles Babbage was never finished in London. ' +
        'Its mill anticipates the processor.',
    );
    expect(document.entities).toEqual([
      {
        key: 'analytical engine of charles babbage',
        name: 'Analytical Engine of Charles Babbage',
        type: 'name',
        mentions: 1,
      },
      { key: 'analytical engine', name: 'Analytical Engine', type: 'name', mentions: 1 },
      { key: 'london', name: 'London', type: 'name', mentions: 1 },
    ]);
    // Not where the text writes the words of a title name as prose.
    expect(
      buildDocumentGraph('owner', 'notes', 'Meeting Notes', 'Alice Smith read the meeting notes.')
        .entities,
    ).toEqual([{ key: 'alice smith', name: 'Alice Smith', type: 'name', mentions: 1 }]);
  });

  it('counts a name the title shares with the text by its mentions in the text', () => {
    const document = buildDocumentGraph(
      'owner',
      'acme',
      'Acme Corporation',
      'Acme Corporation hired Alice Smith in May.',
    );
    expect(document.entities).toEqual([
      { key: 'acme corporation', name: 'Acme Corporation', type: 'organization', mentions: 1 },
      { key: 'alice smith', name: 'Alice Smith', type: 'name', mentions: 1 },
    ]);
    expect(document.coOccurrences).toEqual([
      { a: 'acme corporation', b: 'alice smith', weight: 1 },
    ]);
  });
});
