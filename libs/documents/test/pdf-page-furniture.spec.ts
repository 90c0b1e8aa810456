import { findPageFurniture, type PageLine } from '../src/pdf-page-furniture';

/** Pages of plain lines, all drawn alike. */
const pagesOf = (...pages: string[][]): PageLine[][] =>
  pages.map((lines) => lines.map((text) => ({ text })));

/** The text each page keeps once its furniture is left out. */
function withoutFurniture(pages: readonly (readonly PageLine[])[]): string[][] {
  const furniture = findPageFurniture(pages);
  return pages.map((lines, page) =>
    lines.filter((_, index) => !furniture[page]?.has(index)).map((line) => line.text),
  );
}

// Body lines differ in words: lines differing only in numbers are alike.
const LINE_NAMES = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const PAGE_NAMES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Eta', 'Theta', 'Iota'];

/** A page of nine body lines (three at each edge, three in the middle) between `top` and `bottom`. */
const page = (top: string | undefined, body: string, bottom: string | undefined): string[] => [
  ...(top === undefined ? [] : [top]),
  ...LINE_NAMES.map((line) => `${body}, line ${line}.`),
  ...(bottom === undefined ? [] : [bottom]),
];

describe('findPageFurniture', () => {
  it('finds a running header whose page number moves, and the page numbers', () => {
    const pages = pagesOf(
      page('Shared MIME-info Database 1', 'One', '1'),
      page('2 Shared MIME-info Database', 'Two', '2'),
      page('Shared MIME-info Database 3', 'Three', '3'),
      page('4 Shared   MIME-info Database', 'Four', '4'),
    );

    expect(withoutFurniture(pages)).toEqual([
      page(undefined, 'One', undefined),
      page(undefined, 'Two', undefined),
      page(undefined, 'Three', undefined),
      page(undefined, 'Four', undefined),
    ]);
  });

  it.each([
    ['dashes', (n: number) => `- ${n} -`],
    ['"Page n"', (n: number) => `Page ${n}`],
    ['"n of N"', (n: number) => `${n} of 5`],
    ['"Page n of N"', (n: number) => `Page ${n} of 5`],
    ['"n/N"', (n: number) => `${n}/5`],
    ['roman numerals', (n: number) => ['i', 'ii', 'iii', 'iv', 'v'][n - 1] as string],
    ['brackets', (n: number) => `[${n}]`],
  ])('finds page numbers written with %s, at the top or the bottom', (_style, number) => {
    const bottom = pagesOf(
      ...[1, 2, 3, 4, 5].map((n) => page(undefined, PAGE_NAMES[n - 1] as string, number(n))),
    );
    const top = pagesOf(
      ...[1, 2, 3, 4, 5].map((n) => page(number(n), PAGE_NAMES[n - 1] as string, undefined)),
    );

    for (const pages of [bottom, top]) {
      expect(withoutFurniture(pages)).toEqual(
        [1, 2, 3, 4, 5].map((n) => page(undefined, PAGE_NAMES[n - 1] as string, undefined)),
      );
    }
  });

  it('finds nothing in a document of one or two pages', () => {
    const twoPages = pagesOf(
      page('Quarterly report', 'One', '1'),
      page('Quarterly report', 'Two', '2'),
    );

    expect(findPageFurniture(twoPages).map((lines) => lines.size)).toEqual([0, 0]);
    expect(findPageFurniture(pagesOf(['Quarterly report', 'Body', '1']))[0]?.size).toBe(0);
    expect(findPageFurniture([])).toEqual([]);
  });

  it('leaves text that repeats in the middle of pages', () => {
    const middle = (body: string, n: number) => [
      `${body} opens.`,
      `${body} goes on.`,
      `${body} goes on further.`,
      'Note: all amounts are in euros.',
      `${body} continues.`,
      `${body} continues further.`,
      `${body} ends.`,
      `${n}`,
    ];
    const pages = pagesOf(
      middle('One', 1),
      middle('Two', 2),
      middle('Three', 3),
      middle('Four', 4),
    );

    expect(withoutFurniture(pages)).toEqual(
      pages.map((lines) => lines.slice(0, -1).map((l) => l.text)),
    );
  });

  it('needs a line on at least half of the pages after the first, and on three pages', () => {
    // On 3 of 8 pages: fewer than half of the 7 after the first.
    const seldom = pagesOf(
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
        page(n <= 3 ? 'Draft' : undefined, PAGE_NAMES[n - 1] as string, undefined),
      ),
    );
    // On pages 2 to 5 of 9: half of the 8 after the first.
    const often = pagesOf(
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
        page(n >= 2 && n <= 5 ? 'Draft' : undefined, PAGE_NAMES[n - 1] as string, undefined),
      ),
    );

    expect(withoutFurniture(seldom)).toEqual(seldom.map((lines) => lines.map((l) => l.text)));
    expect(withoutFurniture(often).flat()).not.toContain('Draft');
  });

  it('finds running lines only in their own places, and only where they look alike', () => {
    const look = (text: string, size: string) => ({ text, look: size });
    const body = (name: string) =>
      ['opens', 'goes on', 'goes on further', 'continues', 'ends', 'is over'].map((verb) =>
        look(`${name} ${verb}.`, '10'),
      );
    const pages: PageLine[][] = [
      // The title, drawn large, where later pages have their header.
      [look('Shared MIME-info Database', '24.5'), ...body('One'), look('1', '10')],
      [look('Shared MIME-info Database', '10'), ...body('Two'), look('2', '10')],
      [look('Shared MIME-info Database', '10'), ...body('Three'), look('3', '10')],
      [look('Shared MIME-info Database', '10'), ...body('Four'), look('4', '10')],
      // The running header's text as the last line of a page is not at the top.
      [...body('Five'), look('Shared MIME-info Database', '10')],
    ];

    expect(withoutFurniture(pages)).toEqual([
      ['Shared MIME-info Database', ...body('One').map((l) => l.text)],
      body('Two').map((l) => l.text),
      body('Three').map((l) => l.text),
      body('Four').map((l) => l.text),
      [...body('Five').map((l) => l.text), 'Shared MIME-info Database'],
    ]);
  });

  it('leaves edge lines alike but for numbers that do not follow the pages', () => {
    // A subtotal at the foot of each page, and figures closing each page.
    const subtotals = ['1,250.00', '7,980.50', '3,105.75', '9,600.10'];
    const withSubtotals = pagesOf(
      ...subtotals.map((amount, n) =>
        page(undefined, PAGE_NAMES[n] as string, `Subtotal carried forward: ${amount}`),
      ),
    );
    const withFigures = pagesOf(
      ...['42', '17', '8', '99'].map((figure, n) =>
        page(undefined, PAGE_NAMES[n] as string, figure),
      ),
    );

    for (const pages of [withSubtotals, withFigures]) {
      expect(withoutFurniture(pages)).toEqual(pages.map((lines) => lines.map((l) => l.text)));
    }
  });

  it('takes page numbers that start anywhere, or run in roman numerals then digits', () => {
    // Printed page numbers 41 to 45; a header naming the year and the page.
    const pages = pagesOf(
      ...[41, 42, 43, 44, 45].map((n, index) =>
        page(`Annual report 2024, page ${n}`, PAGE_NAMES[index] as string, `${n}`),
      ),
    );
    const frontMatter = pagesOf(
      ...['i', 'ii', 'iii', '1', '2', '3', '4'].map((n, index) =>
        page(undefined, PAGE_NAMES[index] as string, n),
      ),
    );

    expect(withoutFurniture(pages)).toEqual(
      [0, 1, 2, 3, 4].map((index) => page(undefined, PAGE_NAMES[index] as string, undefined)),
    );
    expect(withoutFurniture(frontMatter)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((index) => page(undefined, PAGE_NAMES[index] as string, undefined)),
    );
  });

  it('does not take a line of numbers or punctuation for a running line', () => {
    const pages = pagesOf(
      ...[1, 2, 3, 4].map((n) => ['* * *', `Part ${n} starts here.`, 'It goes on.', '3.2']),
    );

    expect(withoutFurniture(pages)).toEqual(pages.map((lines) => lines.map((l) => l.text)));
  });

  it('handles a page holding only its header and number', () => {
    const pages = pagesOf(
      page('Manual', 'One', '1'),
      ['Manual', '2'],
      page('Manual', 'Three', '3'),
      page('Manual', 'Four', '4'),
    );

    expect(withoutFurniture(pages)).toEqual([
      page(undefined, 'One', undefined),
      [],
      page(undefined, 'Three', undefined),
      page(undefined, 'Four', undefined),
    ]);
  });
});

describe('findPageFurniture keeps text alike to the furniture', () => {
  /** A page of `lines` body lines, named so none is alike to another. */
  const bodyLines = (name: string, lines = 6) =>
    LINE_NAMES.slice(0, lines).map((line) => `${name}, line ${line}.`);
  const unchanged = (pages: readonly (readonly PageLine[])[]) =>
    pages.map((lines) => lines.map((line) => line.text));

  it('takes only the page number from the numbers ending a page', () => {
    // Six pages numbered at the foot; an equation number, a year and a
    // table's figure also stand among their last lines.
    const lastLines: Record<number, string> = { 2: '42', 3: '(7)', 5: '2019', 6: '17' };
    const pages = pagesOf(
      ...[1, 2, 3, 4, 5, 6].map((n) => [
        ...bodyLines(PAGE_NAMES[n - 1] as string),
        ...(lastLines[n] === undefined ? [] : [lastLines[n]]),
        `${n}`,
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages).map((lines) => lines.slice(0, -1)));
  });

  it('keeps a roman chapter number under page numbers printed at the top', () => {
    const pages = pagesOf(
      ...[1, 2, 3, 4, 5, 6].map((n) => [
        `${n}`,
        ...(n === 3 ? ['XII'] : []),
        ...bodyLines(PAGE_NAMES[n - 1] as string),
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages).map((lines) => lines.slice(1)));
  });

  it('takes a running line only where its own text repeats, not lines alike but for a number', () => {
    // "Annual Report 2024" heads every page; page 4 then quotes the 2019 report.
    const pages = pagesOf(
      ...[1, 2, 3, 4, 5].map((n) => [
        'Annual Report 2024',
        ...(n === 4 ? ['Annual Report 2019'] : []),
        ...bodyLines(PAGE_NAMES[n - 1] as string),
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages).map((lines) => lines.slice(1)));
  });

  it('keeps pages of a single line, however alike (pdf.js gave no line ends)', () => {
    const long = pagesOf(
      ...[1, 2, 3, 4].map((n) => [
        `Invoice ${1000 + n} issued to Example Ltd for consulting services in March, total due ${5 + n} EUR within thirty days.`,
      ]),
    );
    const short = pagesOf(...[1, 2, 3, 4].map((n) => [`Invoice ${1000 + n}: total due 50 EUR`]));

    for (const pages of [long, short]) {
      expect(withoutFurniture(pages)).toEqual(unchanged(pages));
    }
  });

  it('keeps a long line repeated at the foot of every page', () => {
    const notice =
      'This report is confidential and may not be shared outside the company without written consent.';
    const pages = pagesOf(
      ...[1, 2, 3, 4].map((n) => [...bodyLines(PAGE_NAMES[n - 1] as string), notice, `${n}`]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages).map((lines) => lines.slice(0, -1)));
  });

  it('keeps the lines of identical copies of a short form', () => {
    const pages = pagesOf(
      ...['Customer copy', 'Merchant copy', 'Bank copy'].map((copy) => [
        'ACME Store, Main Street 1',
        'Card payment',
        'Total: 25.00 EUR',
        copy,
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages));
  });

  it('keeps a numbered heading that opens each short page', () => {
    const pages = pagesOf(
      ...[1, 2, 3, 4].map((n) => [
        `Question ${n}`,
        `What does item ${PAGE_NAMES[n - 1] as string} mean?`,
        'Answer in one sentence.',
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(unchanged(pages));
  });

  it('leaves a page at least half of its text but for exact running lines and numbers', () => {
    // A running header naming the chapter; page 3 has little more than it.
    const pages = pagesOf(
      ...[1, 2, 3, 4, 5].map((n) => [
        `Chapter ${n} of the handbook`,
        ...(n === 3 ? ['Blank.'] : bodyLines(PAGE_NAMES[n - 1] as string)),
        `${n}`,
      ]),
    );

    expect(withoutFurniture(pages)).toEqual(
      unchanged(pages).map((lines, index) =>
        index === 2 ? lines.slice(0, -1) : lines.slice(1, -1),
      ),
    );
  });
});
