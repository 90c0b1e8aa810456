import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusText } from '@docuthinker/testing';
import { searchTerms } from '../src/documents/search-terms';
import { snippetAround } from '../src/documents/snippet';
import { createEmbeddedDataStores } from '../src/embedded/create-embedded-data-stores';
import { mimeSpecPdfText } from './support/corpus-pdf-text';
import { ManualClock } from './support/manual-clock';
import { newOwnerId, sampleDocument } from './support/sample-documents';

/** The snippet a content search shows for `query` in `text`. */
const snippetFor = (text: string, query: string) => snippetAround(text, searchTerms(query));
/** The snippet without its ellipses, spaces collapsed, lower case. */
const plain = (snippet: string) => snippet.replace(/…/g, '').toLowerCase();

// Found by the exploratory test over the shared corpus: the snippet centred
// on the first place any query term appeared, even inside another word, and
// did not fold accents or ligatures as the full-text index does.
describe('content-search snippets on the corpus', () => {
  const apache = corpusText('apache-2.0');
  const mpl = corpusText('mpl-2.0');
  let mime = '';
  beforeAll(async () => {
    mime = await mimeSpecPdfText();
  });

  it('shows the section the words name, not a word that contains one of them', () => {
    const snippet = snippetFor(apache, 'Disclaimer of Warranty');
    expect(snippet).toContain('Disclaimer of Warranty');
    expect(snippet).not.toContain('the creation of');
  });

  it('shows where every word of the query matches as a word', () => {
    expect(snippetFor(mpl, 'Exhibit A')).toContain('Exhibit A');
    const override = snippetFor(mime, 'Override.xml');
    expect(override).toContain('Override.xml');
    expect(snippetFor(mime, 'x-content')).toMatch(/x-content/);
  });

  it('keeps the snippet about 160 characters long, with ellipses where text was cut', () => {
    for (const [text, query] of [
      [apache, 'Disclaimer of Warranty'],
      [mpl, 'Exhibit A'],
      [mime, 'Override.xml'],
    ] as const) {
      const snippet = snippetFor(text, query);
      expect(snippet.replace(/…/g, '').length).toBeLessThanOrEqual(160);
      expect(snippet.replace(/…/g, '').length).toBeGreaterThan(100);
      expect(snippet.startsWith('…')).toBe(true);
      expect(snippet.endsWith('…')).toBe(true);
    }
  });
});

describe('content-search snippets', () => {
  const filler = (words: number) =>
    Array.from({ length: words }, (_, index) => `filler${index % 7}`).join(' ');

  it('matches terms case-, accent- and compatibility-insensitively, as the index does', () => {
    const text = `${filler(60)} We met in Kraków in spring. ${filler(60)}`;
    expect(snippetFor(text, 'krakow')).toContain('Kraków');
    const ligature = `${filler(60)} The \uFB01nance team approved it. ${filler(60)}`;
    expect(snippetFor(ligature, 'finance')).toContain('\uFB01nance team');
    const decomposed = `${filler(60)} Café Müller opens. ${filler(60)}`.normalize('NFD');
    expect(plain(snippetFor(decomposed, 'CAFE mueller müller').normalize('NFC'))).toContain(
      'café müller',
    );
    const fullWidth = `${filler(60)} ＡＣＭＥ shipped. ${filler(60)}`;
    expect(snippetFor(fullWidth, 'acme')).toContain('ＡＣＭＥ shipped');
  });

  // Found in an exploratory test: with no space near, the cut fell between
  // the halves of an emoji, and the snippet held a lone surrogate.
  it('never cuts an emoji in half where no space is near', () => {
    for (const lead of [100, 101]) {
      const text = `${'x'.repeat(lead % 2)}${'😀'.repeat(lead)}target${'😀'.repeat(100)}`;
      const snippet = snippetFor(text, 'target');
      expect(snippet).toContain('target');
      // A lone surrogate is no valid Unicode: encoding it throws.
      expect(() => encodeURIComponent(snippet)).not.toThrow();
    }
  });

  it('reads a bounded part of a long text, from just before the first word a term begins', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(60_000);
    const text = `${filler}the needle sits here ${filler}`;
    const snippet = snippetAround(text, searchTerms('needle'), 20_000);
    expect(snippet).toMatch(/^….*the needle sits here.*…$/);
    // A common word early does not hold the window before the match (review).
    const common = `alpha ${filler}alpha and beta stand together ${filler}`;
    expect(snippetAround(common, searchTerms('alpha beta'), 20_000)).toContain(
      'alpha and beta stand together',
    );
    // No term in the window read: its start, as for a text without a match.
    const elsewhere = snippetAround(`${filler}${'数'.repeat(10)}`, searchTerms('数数'), 20_000);
    expect(elsewhere).toMatch(/^lorem ipsum.*…$/);
  });

  it('matches a term at the start of a word only', () => {
    const text = `The html file loads first. ${filler(80)} Then override.xml is read.`;
    expect(snippetFor(text, 'xml')).toContain('override.xml');
    expect(snippetFor(text, 'ride')).not.toContain('override');
    // Nothing matches: the start of the text, as before.
    expect(snippetFor(text, 'ride')).toMatch(/^The html file/);
  });

  it('prefers the place where most distinct terms match close together', () => {
    const text =
      `Alpha appears alone here. ${filler(40)} beta on its own. ${filler(40)} ` +
      `Gamma, alpha and beta together. ${filler(40)} alpha gamma again.`;
    expect(snippetFor(text, 'alpha beta gamma')).toContain('Gamma, alpha and beta together');
    // Of places with as many terms, the tightest.
    const tight = `one ${filler(3)} two ${filler(60)} one two ${filler(60)}`;
    expect(snippetFor(tight, 'one two')).toMatch(/one two filler/);
  });

  it('finds the matches of a megabyte text in linear time', () => {
    const big = `${'lorem ipsum dolor sit amet\n'.repeat(40_000)}Kraków ﬁnance ${'łódź żółć '.repeat(
      40_000,
    )}`;
    const started = Date.now();
    const snippet = snippetFor(big, 'krakow finance');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(snippet).toContain('Kraków ﬁnance');
  });
});

describe('content search on the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'docuthinker-snippets-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('shows the matched words of a document found through folded accents', async () => {
    const stores = createEmbeddedDataStores({
      dataDir: mkdtempSync(join(root, 'case-')),
      clock: new ManualClock().now,
    });
    try {
      const owner = newOwnerId();
      const text =
        `${'The quarterly figures were discussed at length by the board. '.repeat(8)}` +
        'Our new office in Kraków opens in May. ' +
        `${'Revenue grew in every region over the period. '.repeat(8)}`;
      const created = await stores.documents.create(sampleDocument(owner, { text }));
      const hits = await stores.documents.searchContent(owner, 'krakow');
      expect(hits.map((hit) => hit.id)).toEqual([created.id]);
      expect(hits[0]?.snippet).toContain('office in Kraków opens');
    } finally {
      await stores.close();
    }
  });
});

// Found in an exploratory test: a run of Chinese without punctuation is one
// token, and reading 2,000,000 letters of it term by term took a second a hit.
describe('the snippet of a long run of an unspaced script', () => {
  it('is cut around the term wherever it stands in the run', () => {
    const filler = Array.from({ length: 5_000 }, (_unused, index) =>
      String.fromCharCode(0x4e00 + (index % 50)),
    ).join('');
    const snippet = snippetAround(`${filler}勉強${filler}`, ['勉強']);
    expect(snippet).toContain('勉強');
    expect(snippet.startsWith('…')).toBe(true);
  });
});
