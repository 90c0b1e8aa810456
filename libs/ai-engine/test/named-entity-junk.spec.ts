import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocumentGraph } from '../src/graph/document-graph';
import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import { extractEntityMentions } from '../src/offline/named-entities';
import { corpusText } from './support/corpus';
import { mimeSpecPdfText } from './support/corpus-extracts';
import { entitySummaries } from './support/entity-summaries';

const names = (text: string) => extractEntityMentions(text).entities.map((entity) => entity.name);
const summarise = entitySummaries;

// Found by an exploratory test: "Mül\u200Dler" (a zero-width joiner inside the
// name) was the entity "Mül", and a soft hyphen cut "Ber\u00ADlin" short too.
it('names an entity whole when soft hyphens or joiners sit inside its words', () => {
  expect(
    names(
      'Mül\u200Dler met Weber in Ber\u00ADlin. Later Mül\u200Dler flew from Ber\u00ADlin to Oslo.',
    ),
  ).toEqual(expect.arrayContaining(['Müller', 'Berlin']));
  expect(names('Mül\u200Dler met Weber in Ber\u00ADlin.')).not.toContain('Mül');
});

// Found by the exploratory test over the shared corpus: the knowledge graph's
// entities held common capitalised words, spans with a function word or a
// sentence-opening verb glued on, capitalised clauses of legal boilerplate,
// and the singular and the plural of one name, which also related documents.
describe('entities of the corpus without junk', () => {
  const apache = corpusText('apache-2.0');
  const mpl = corpusText('mpl-2.0');
  let mime = '';
  beforeAll(async () => {
    mime = await mimeSpecPdfText();
  });

  it('leaves common words, glued-on words and all-capital clauses out of the Apache licence', () => {
    const found = names(apache);
    for (const junk of [
      'January',
      'Sections',
      'Unless You',
      'BASIS WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND',
      'TITLE NON-INFRINGEMENT MERCHANTABILITY',
      'FITNESS FOR A PARTICULAR PURPOSE',
      'APPENDIX How',
      'Contributions',
      // Found in review: names run on across a comma, and a version's label.
      'License Derivative Works',
      'Apache License Version',
    ]) {
      expect(found).not.toContain(junk);
    }
    expect(found).toEqual(
      expect.arrayContaining([
        'Apache License',
        'Contribution',
        'Contributor',
        'License',
        'Derivative Works',
        'Legal Entity',
        'NOTICE',
      ]),
    );
  });

  it('merges the singular and the plural of a name in the MPL, and keeps its names', () => {
    const entities = extractEntityMentions(mpl).entities;
    const found = entities.map((entity) => entity.name);
    for (const junk of [
      'Section',
      'Sections',
      'Conditions',
      'Contributions',
      'Secondary Licenses',
    ]) {
      expect(found).not.toContain(junk);
    }
    const contribution = entities.find((entity) => entity.key === 'contribution');
    // "Contributions" 8 times and "Contribution" 4 times.
    expect(contribution).toMatchObject({ name: 'Contribution', mentions: 12 });
    expect(found).toEqual(
      expect.arrayContaining([
        'Covered Software',
        'Contributor',
        'Source Code Form',
        'Secondary License',
        'Mozilla Foundation',
        'Mozilla Public License',
        'MPL',
        'Exhibit A',
        'Exhibit B',
      ]),
    );
  });

  it('keeps the names and acronyms of the MIME spec and drops its headings and labels', () => {
    const found = names(mime);
    for (const junk of [
      'Note',
      'Common',
      'First',
      'Differences',
      'EDIT',
      'FLAGS',
      'October',
      'Version This',
      'Shared MIME-info Database The',
      'Shared MIME-info Database If',
      'Extended Attributes An',
      'REQUIRED SHALL SHALL NOT SHOULD SHOULD NOT RECOMMENDED MAY',
      'URIs',
    ]) {
      expect(found).not.toContain(junk);
    }
    expect(found).toEqual(
      expect.arrayContaining([
        'MIME',
        'XML',
        'URI',
        'Shared MIME-info Database',
        'Thomas Leonard',
        'X Desktop Group',
        'GNOME',
        'KDE',
        'IANA',
      ]),
    );
    expect(found.filter((name) => /\bThe$|^Unless\b/.test(name))).toEqual([]);
  });

  it('relates the Apache licence and the MPL through one entity for "Contribution(s)"', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-entity-junk-'));
    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'graph.db'));
    try {
      await graph.replaceDocument(buildDocumentGraph('owner', 'apache', 'Apache License', apache));
      await graph.replaceDocument(
        buildDocumentGraph('owner', 'mpl', 'Mozilla Public License', mpl),
      );
      const [related] = await graph.relatedDocuments('owner', 'apache');
      expect(related?.documentId).toBe('mpl');
      expect(related?.sharedEntities).toEqual(
        expect.arrayContaining(['Contribution', 'Contributor', 'License']),
      );
      for (const junk of ['Contributions', 'Sections', 'Section', 'Conditions']) {
        expect(related?.sharedEntities).not.toContain(junk);
      }
    } finally {
      await graph.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('entities without junk', () => {
  it('strips a sentence-opening verb or conjunction and a trailing function word from a name', () => {
    expect(summarise('Visit São Paulo in June. Unless You agree, stop.')).toEqual([
      { name: 'São Paulo', key: 'são paulo', mentions: 1 },
    ]);
    expect(summarise('We read the Shared Database The reader. See Acme Corp for more.')).toEqual([
      { name: 'Shared Database', key: 'shared database', mentions: 1 },
      { name: 'Acme Corp', key: 'acme corp', mentions: 1 },
    ]);
    // A single letter ends a name: "Exhibit A".
    expect(summarise('The notice in Exhibit A applies.')).toEqual([
      { name: 'Exhibit A', key: 'exhibit a', mentions: 1 },
    ]);
  });

  it('takes no common word, month or section word alone as an entity', () => {
    expect(
      summarise(
        'The Note says so, as the Section and Sections 2 and 3 do. It began in January with ' +
          'the First draft; the Common case and the Differences follow. EDIT the FLAGS field.',
      ),
    ).toEqual([]);
    // Inside a longer name, those words stay.
    expect(summarise('They banked with First National Bank in March.')).toEqual([
      { name: 'First National Bank', key: 'first national bank', mentions: 1 },
    ]);
  });

  it('takes no capitalised clause as an entity, but keeps acronyms', () => {
    expect(
      summarise(
        'It is provided on an "AS IS" BASIS WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND by ' +
          'the MIME and XML teams of BSD, with TITLE, NON-INFRINGEMENT, MERCHANTABILITY excluded.',
      ),
    ).toEqual([
      { name: 'MIME', key: 'mime', mentions: 1 },
      { name: 'XML', key: 'xml', mentions: 1 },
      { name: 'BSD', key: 'bsd', mentions: 1 },
    ]);
  });

  it('merges a singular and a plural name into one entity, with its mentions', () => {
    const { entities, mentions } = extractEntityMentions(
      'Each Contribution counts. All Contributions are welcome. The Contributions arrive. ' +
        'We met in Paris with our Policies team and the Policy board. The URIs and the URI match.',
    );
    expect(entities.map(({ name, key, mentions: count }) => ({ name, key, count }))).toEqual([
      { name: 'Contribution', key: 'contribution', count: 3 },
      { name: 'Policy', key: 'policy', count: 2 },
      { name: 'URI', key: 'uri', count: 2 },
      { name: 'Paris', key: 'paris', count: 1 },
    ]);
    expect(mentions.map((mention) => mention.key)).not.toContain('contributions');
    expect(mentions.filter((mention) => mention.key === 'contribution')).toHaveLength(3);
    // Without its singular, a plural name stays as it is.
    expect(summarise('We met the Secondary Licenses board.')).toEqual([
      { name: 'Secondary Licenses', key: 'secondary licenses', mentions: 1 },
    ]);
  });
});

// Regressions of the junk removal above, found in review: names that end in
// a stopword, surnames that look like plurals, and all-capital party names.
describe('entities the junk removal must keep', () => {
  it('keeps a name whose last word is a stopword written as a name', () => {
    expect(
      names(
        'We met Theresa May in London. Prime Minister Theresa May spoke. ' +
          'They sell through Amazon US and Toys R Us, and Acme IT runs the servers.',
      ),
    ).toEqual(
      expect.arrayContaining([
        'Theresa May',
        'Prime Minister Theresa May',
        'Amazon US',
        'Toys R Us',
        'Acme IT',
      ]),
    );
    expect(names('We met Theresa May.')).not.toContain('Theresa');
    // A determiner that ran on from the next sentence still goes, and a
    // single letter still stays.
    expect(names('We read the Shared Database This time. See Exhibit A here.')).toEqual([
      'Shared Database',
      'Exhibit A',
    ]);
  });

  it('does not merge a surname into the first name it looks like the plural of', () => {
    const found = names(
      'So William met Robert. Serena Williams and Julia Roberts came later; William and ' +
        'Robert left before Williams and Roberts.',
    );
    expect(found).toEqual(expect.arrayContaining(['William', 'Robert', 'Serena Williams']));
    expect(summarise('We saw William meet Williams. We saw Robert meet Roberts.')).toEqual([
      { name: 'William', key: 'william', mentions: 1 },
      { name: 'Williams', key: 'williams', mentions: 1 },
      { name: 'Robert', key: 'robert', mentions: 1 },
      { name: 'Roberts', key: 'roberts', mentions: 1 },
    ]);
    // A word the text also writes in lower case, or after a determiner, is a
    // common noun: merged.
    expect(
      summarise('Each Contribution counts. All Contributions count, as contributions do.'),
    ).toEqual([{ name: 'Contribution', key: 'contribution', mentions: 2 }]);
    expect(summarise('We take its Contributions and one Contribution.')).toEqual([
      { name: 'Contribution', key: 'contribution', mentions: 2 },
    ]);
  });

  it('keeps all-capital party names and drops all-capital clauses', () => {
    expect(
      summarise(
        'This agreement is between ACME WIDGET CORPORATION and INTERNATIONAL BUSINESS MACHINES ' +
          'CORPORATION, provided on an "AS IS" BASIS WITHOUT WARRANTIES OR CONDITIONS OF ANY ' +
          'KIND, including conditions of TITLE, NON-INFRINGEMENT, MERCHANTABILITY, or FITNESS ' +
          'FOR A PARTICULAR PURPOSE.',
      ).map(({ name }) => name),
    ).toEqual(['ACME WIDGET CORPORATION', 'INTERNATIONAL BUSINESS MACHINES CORPORATION']);
    // Capitals without an organisation word stay a name unless commas list them.
    expect(names('Shares trade on the NEW YORK STOCK EXCHANGE daily.')).toEqual([
      'NEW YORK STOCK EXCHANGE',
    ]);
  });
});

// Found in review: a run of capitalised words with no sentence break (a
// title-cased heading, a table of contents) was one entity as long as the
// run, 2 M characters, carried by every entity listing of its owner.
it('takes no name longer than eight words or 100 characters, and keeps the names around it', () => {
  const heading = Array.from({ length: 5000 }, (_, index) => `Ab${index.toString(36)}`).join(' ');
  const oneWord = `Q${'u'.repeat(200_000)}`;
  const text = `${heading}. Alice Smith joined the Massachusetts Institute of Technology. ${oneWord} stood there. Alice Smith left the Massachusetts Institute of Technology.`;
  const found = extractEntityMentions(text).entities;
  expect(found.map((entity) => entity.name)).toEqual(
    expect.arrayContaining(['Alice Smith', 'Massachusetts Institute of Technology']),
  );
  for (const entity of found) {
    expect(entity.name.length).toBeLessThanOrEqual(100);
    expect(entity.name.split(' ').length).toBeLessThanOrEqual(8);
  }
  expect(names('The Quick Brown Fox Jumps Over Nine Lazy Sleepy Dogs today.')).toEqual([]);
});
