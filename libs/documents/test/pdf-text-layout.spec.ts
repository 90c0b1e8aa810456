import { extractPdfText } from '../src';
import { buildLayoutPdf, printedPage } from './support/build-layout-pdf';
import { readCorpusFile } from './support/corpus';

const lines = (text: string) => text.split('\n');

describe('PDF text of the sample specification', () => {
  let text: string;
  beforeAll(async () => {
    ({ text } = await extractPdfText(readCorpusFile('shared-mime-info-spec.pdf')));
  });

  it('keeps the title but not the running header of its 17 pages', () => {
    // Printed at the top of pages 2 to 17, and large as the title of page 1.
    expect(lines(text).filter((line) => line === 'Shared MIME-info Database')).toHaveLength(1);
    expect(text.startsWith('Shared MIME-info Database\n')).toBe(true);
    // Body text naming the database stays.
    expect(text).toContain('This is version 0.21 of the Shared MIME-info Database specification');
  });

  it('leaves out the page numbers', () => {
    expect(lines(text).filter((line) => /^\s*\d+\s*$/.test(line))).toEqual([]);
  });

  it('runs a sentence on across a page break, without the furniture between', () => {
    // "checks" ends page 14, under "14"; "is:" starts page 15, under its header.
    expect(text).toMatch(/However, the RECOMMENDED order to perform the checks\n?is:/);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'However, the RECOMMENDED order to perform the checks is:',
    );
  });

  it('puts a blank line between paragraphs and after headings', () => {
    expect(lines(text).filter((line) => line === '').length).toBeGreaterThan(100);
    expect(text).toContain(
      '1.2. What is this spec?\n\nMany programs and desktops use the MIME system[MIME] to represent',
    );
    expect(text).toContain(
      '\n\n2.10. Storing the MIME type using Extended Attributes\n\nAn implementation MAY',
    );
    // Lines of one paragraph stay lines, as pdf.js ends them.
    expect(text).toContain(
      'name or contents, and looking up the correct MIME type in a database.\n\n' +
        'It is also useful to store information about each type, such as a textual description of it, or a list of\n' +
        'applications that can be used to view or edit files of that type.\n\n',
    );
  });
});

describe('PDF page furniture and paragraphs', () => {
  const body = (page: number): string[][] => [
    [`Paragraph one of page ${page} starts here and`, 'it ends on this line.'],
    ['The second paragraph has a single line.'],
  ];

  it('removes a running header and footer whose page numbers move', async () => {
    const pdf = buildLayoutPdf(
      [1, 2, 3, 4].map((page) =>
        printedPage({
          header: page % 2 === 0 ? `${page} Annual Report` : `Annual Report ${page}`,
          paragraphs: body(page),
          footer: `Page ${page} of 4`,
        }),
      ),
    );

    const { text } = await extractPdfText(pdf);

    expect(text).not.toContain('Annual Report');
    expect(text).not.toMatch(/Page \d of 4/);
    expect(text).toBe(
      [1, 2, 3, 4]
        .map(
          (page) =>
            `Paragraph one of page ${page} starts here and\nit ends on this line.\n\n` +
            'The second paragraph has a single line.',
        )
        .join('\n\n'),
    );
  });

  it('keeps headers and page numbers of a two-page document, where they cannot be told apart', async () => {
    const pdf = buildLayoutPdf(
      [1, 2].map((page) =>
        printedPage({ header: 'Annual Report', paragraphs: body(page), footer: `${page}` }),
      ),
    );

    const { text } = await extractPdfText(pdf);

    expect(text.match(/Annual Report/g)).toHaveLength(2);
    expect(lines(text)).toContain('1');
    expect(lines(text)).toContain('2');
  });

  it('keeps text that repeats in the middle of every page', async () => {
    const paragraphs = (page: number) => [
      [`Page ${page} opens with a paragraph`, 'of two lines.'],
      [`Its second paragraph`, 'has two lines too.'],
      ['All amounts are in euros.'],
      ['A closing paragraph', 'of a few lines,', 'three of them.'],
    ];
    const pdf = buildLayoutPdf(
      [1, 2, 3, 4].map((page) =>
        printedPage({ paragraphs: paragraphs(page), footer: `- ${page} -` }),
      ),
    );

    const { text } = await extractPdfText(pdf);

    expect(text.match(/All amounts are in euros\./g)).toHaveLength(4);
    expect(text).not.toMatch(/- \d -/);
  });

  it('separates a heading drawn larger from the text under it, without a gap', async () => {
    const pdf = buildLayoutPdf([
      [
        { text: '1. Introduction', y: 700, size: 16 },
        { text: 'The text of the introduction', y: 684 },
        { text: 'runs over two lines.', y: 672 },
        { text: 'A new paragraph after a gap.', y: 640 },
      ],
    ]);

    const { text } = await extractPdfText(pdf);

    expect(text).toBe(
      '1. Introduction\n\nThe text of the introduction\nruns over two lines.\n\n' +
        'A new paragraph after a gap.',
    );
  });

  it('runs a paragraph on across a page break, and starts one after a finished sentence', async () => {
    const page = (header: string, ...paragraphs: string[][]) =>
      printedPage({ header, paragraphs, footer: header.replace(/\D/g, '') });
    const pdf = buildLayoutPdf([
      page('Guide 1', ['The first page ends', 'in the middle of a']),
      page('Guide 2', ['sentence that goes on here.'], ['A second paragraph']),
      page('Guide 3', ['ends on this page.']),
      page('Guide 4', ['The last page.']),
    ]);

    const { text } = await extractPdfText(pdf);

    expect(text).toBe(
      'The first page ends\nin the middle of a\nsentence that goes on here.\n\n' +
        'A second paragraph\nends on this page.\n\nThe last page.',
    );
  });
});
