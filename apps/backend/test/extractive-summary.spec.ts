import { extractiveSummary } from '../src/services/extractive-summary';
import { extractDocument } from '@docuthinker/documents';
import { corpusFile } from '@docuthinker/testing';

describe('extractiveSummary', () => {
  it('keeps a short text whole, with its white space collapsed', () => {
    expect(extractiveSummary('  A short\n\ntext.  ')).toBe('A short text.');
  });

  it('takes the opening sentences that fit in 400 characters, keeping numbers and abbreviations whole', () => {
    const opening = 'Version 2.0 of the licence, e.g. for code, applies. ';
    const text = `${opening}${'Another sentence follows here. '.repeat(50)}`;
    const summary = extractiveSummary(text);
    expect(summary.startsWith('Version 2.0 of the licence, e.g. for code, applies.')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(400);
    expect(summary.endsWith('follows here.')).toBe(true);
  });

  it('cuts a text without sentence ends at a word, and reads only its opening', () => {
    const words = 'lorem ipsum dolor '.repeat(6000);
    const summary = extractiveSummary(words);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(401);
    expect(summary).toMatch(/^lorem ipsum dolor/);
    // The same opening however much follows: only a bounded prefix is read.
    expect(extractiveSummary(words.repeat(100))).toBe(summary);
  });

  it('skips leading white space however long it is', () => {
    expect(extractiveSummary(`${' '.repeat(100_000)}Opening line.`)).toBe('Opening line.');
  });

  // Found in an exploratory test: a Hindi or Japanese summary ended mid-sentence with "…".
  it('ends on the last whole sentence of Hindi and Japanese text', () => {
    const hindi = 'भारत की राजधानी नई दिल्ली है। '.repeat(30);
    const summary = extractiveSummary(hindi);
    expect(summary.endsWith('है।')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(400);
    const japanese = '東京は日本の首都です。'.repeat(60);
    expect(extractiveSummary(japanese).endsWith('です。')).toBe(true);
  });

  // Found in review: text with no space in its opening was cut to one UTF-16
  // unit, half a pair when it opened with an emoji, and Chinese text to one
  // character.
  it('cuts text without spaces at the limit, never between the halves of a pair', () => {
    const emoji = extractiveSummary('😀'.repeat(300));
    expect(emoji).toBe(emoji.toWellFormed());
    expect(emoji).toBe(`${'😀'.repeat(200)}…`);
    const chinese = extractiveSummary('许可证允许再分发'.repeat(100));
    expect(chinese).toBe(`${'许可证允许再分发'.repeat(50)}…`);
    // 399 units of text, then a pair across the limit: the pair is left out.
    const across = extractiveSummary(`${'x'.repeat(399)}😀${'y'.repeat(50)}`);
    expect(across).toBe(`${'x'.repeat(399)}…`);
    // A space near the start (a heading, a Latin name) does not cut it short.
    const headed = extractiveSummary(`第1章 ${'许可证允许再分发'.repeat(100)}`);
    expect(headed).toBe(`${`第1章 ${'许可证允许再分发'.repeat(100)}`.slice(0, 400)}…`);
  });
});

// Found by an exploratory run over the shared corpus: the summary stored with
// bsd.txt and bsd.docx ended "… the following disclaimer. 2.", the next
// item's number read as a sentence, and the MPL's held its "=====" and
// "-----" underlining and ended "… 1.3.".
describe('extractiveSummary of numbered lists and underlined titles', () => {
  const corpusDocument = async (name: string) =>
    (await extractDocument({ bytes: corpusFile(name), filename: name })).text;

  it.each(['bsd.txt', 'bsd.docx'])(
    'does not end the summary of %s on the next item’s number',
    async (name) => {
      const summary = extractiveSummary(await corpusDocument(name));
      expect(summary).toMatch(/the following disclaimer\.$/);
      expect(summary).toContain('are met: 1. Redistributions of source code must retain');
      expect(summary.length).toBeLessThanOrEqual(400);
    },
  );

  it('leaves the underlining of the MPL’s titles out and ends on a sentence', async () => {
    const summary = extractiveSummary(await corpusDocument('mpl-2.0.txt'));
    expect(summary).not.toMatch(/[=]{3}|-{3}/);
    expect(summary).toMatch(
      /^Mozilla Public License Version 2\.0 1\. Definitions 1\.1\. "Contributor"/,
    );
    expect(summary).not.toMatch(/ \d+(?:\.\d+)*\.$/);
    expect(summary).toMatch(/Contribution\.$/);
  });

  it.each([
    [
      'numbers opening lines',
      `Terms of use\n${'='.repeat(12)}\n1. The first rule is long enough to matter here.\n2. The second rule is long enough to matter as well.\n1.3. ${'filler words '.repeat(40)}`,
    ],
    [
      'roman numbers opening lines',
      `Terms:\ni. The first rule is long enough to matter here.\nii. The second rule is long enough to matter as well.\niv. ${'filler words '.repeat(40)}`,
    ],
    [
      'numbers run into the paragraph',
      `Terms: 1. The first rule is long enough to matter here. 2. The second rule is long enough to matter as well. 3. ${'filler words '.repeat(40)}`,
    ],
  ])('never ends on an item number: %s', (_name, text) => {
    const summary = extractiveSummary(text);
    expect(summary).toMatch(/as well\.$/);
    expect(summary).not.toContain('===');
  });

  it('still ends a sentence on a number after a word or a colon that opens no list', () => {
    const tail = ' filler words'.repeat(40);
    expect(extractiveSummary(`The rules are in section 2. More follows.${tail}`)).toBe(
      'The rules are in section 2. More follows.',
    );
    expect(extractiveSummary(`The rules are in section 2.${tail}`)).toBe(
      'The rules are in section 2.',
    );
    expect(extractiveSummary(`The total is: 42.${tail}`)).toBe('The total is: 42.');
  });

  it('summarises a text of nothing but rules as it is', () => {
    expect(extractiveSummary('-----\n=====')).toBe('----- =====');
  });
});
