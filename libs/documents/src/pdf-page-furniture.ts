/**
 * Page furniture: the running headers, running footers and page numbers a
 * PDF prints on every page. Left in the text they split sentences that run
 * on from one page to the next ("the checks 14 Shared MIME-info Database
 * is:"), so they are found here, from the lines of all pages at once.
 */

/** One line of a page, in reading order. */
export interface PageLine {
  readonly text: string;
  /**
   * How the line is drawn (its font size, say). Running headers look the
   * same on every page, so lines repeat only if their looks match too: a
   * title drawn large on the first page is not its pages' running header.
   */
  readonly look?: string;
}

/** Fewer pages than this are too few to tell furniture from text: none is found. */
export const MIN_PAGES_WITH_FURNITURE = 3;

/** Lines at most this far from a page's top or bottom can be furniture. */
const EDGE_LINES = 3;

/**
 * A page number standing alone: "14", "- 14 -", "[14]", "Page 14",
 * "14 of 16", "14/16", and roman numerals ("xiv").
 */
const PAGE_NUMBER =
  /^(?:page\s*)?[-–—([]?\s*(?:\d{1,5}|(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))\s*[-–—)\]]?(?:\s*(?:of|\/)\s*\d{1,5})?$/iu;

const PAGE_NUMBER_KEY = '\u0000page number';

/**
 * The furniture on each page, as indices into its lines: lines near the top
 * (or the bottom) of a page that also stand near the top (or the bottom) of
 * at least half of the pages after the first, and of at least
 * MIN_PAGES_WITH_FURNITURE pages. The first page is left out of the half
 * because title pages rarely carry the running header.
 *
 * Lines are compared with their digits left out, so "Shared MIME-info
 * Database 14" repeats "15 Shared MIME-info Database", and page numbers
 * ("14", "- 14 -", "Page 3 of 9", "xii") all count as one line. Lines that
 * repeat so are furniture only if, on that many pages, they are the same
 * or hold a number that follows the pages (the page number, give or take a
 * constant): a subtotal at the foot of every page, or a column of figures,
 * is not. Text that repeats further into the pages is never furniture, nor
 * is anything in a document of one or two pages.
 *
 * Linear in the number of lines: each page's few edge lines are counted once.
 */
export function findPageFurniture(pages: readonly (readonly PageLine[])[]): ReadonlySet<number>[] {
  const furniture = pages.map(() => new Set<number>());
  if (pages.length < MIN_PAGES_WITH_FURNITURE) return furniture;
  const pagesNeeded = Math.max(MIN_PAGES_WITH_FURNITURE, (pages.length - 1) / 2);
  for (const edge of ['top', 'bottom'] as const) {
    const candidates = pages.map((lines) =>
      edgeZone(lines, edge).map((index) => {
        const text = (lines[index] as PageLine).text.replace(/\s+/gu, ' ').trim();
        return { index, text, key: furnitureKey(text, lines[index]?.look) };
      }),
    );
    const tallies = new Map<string, RepeatTally>();
    candidates.forEach((zone, page) => {
      const counted = new Set<string>();
      for (const { key, text } of zone) {
        if (key === undefined || counted.has(key)) continue;
        counted.add(key);
        let tally = tallies.get(key);
        if (tally === undefined) tallies.set(key, (tally = new RepeatTally()));
        tally.add(text, page + 1);
      }
    });
    const repeated = new Set<string>();
    for (const [key, tally] of tallies) if (tally.pages() >= pagesNeeded) repeated.add(key);
    candidates.forEach((zone, page) => {
      for (const { key, index } of zone) {
        if (key !== undefined && repeated.has(key)) furniture[page]?.add(index);
      }
    });
  }
  return furniture;
}

/**
 * The pages on which lines alike (by furnitureKey) really repeat: the most
 * pages showing one same text, or a number at one same distance from the
 * page's number.
 */
class RepeatTally {
  private readonly pagesByText = new Map<string, number>();
  private readonly pagesByOffset = new Map<number, number>();

  add(text: string, pageNumber: number): void {
    this.pagesByText.set(text, (this.pagesByText.get(text) ?? 0) + 1);
    const offsets = new Set(numbersIn(text).map((number) => number - pageNumber));
    for (const offset of offsets) {
      this.pagesByOffset.set(offset, (this.pagesByOffset.get(offset) ?? 0) + 1);
    }
  }

  pages(): number {
    let most = 0;
    for (const count of this.pagesByText.values()) most = Math.max(most, count);
    for (const count of this.pagesByOffset.values()) most = Math.max(most, count);
    return most;
  }
}

/** Numbers looked at in a line: a page number is among the first few. */
const NUMBERS_PER_LINE = 8;

/** The first numbers a line holds, in digits or in roman numerals ("xiv"). */
function numbersIn(text: string): number[] {
  const numbers: number[] = [];
  for (const [token] of text.matchAll(/\d+|\b[ivxlcdm]+\b/giu)) {
    if (/^\d{1,6}$/u.test(token)) numbers.push(Number(token));
    else if (ROMAN_NUMERAL.test(token)) numbers.push(romanValue(token));
    if (numbers.length === NUMBERS_PER_LINE) break;
  }
  return numbers;
}

const ROMAN_NUMERAL = /^m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$/iu;
const ROMAN_DIGITS: Readonly<Record<string, number>> = {
  i: 1,
  v: 5,
  x: 10,
  l: 50,
  c: 100,
  d: 500,
  m: 1000,
};

function romanValue(numeral: string): number {
  const digits = [...numeral.toLowerCase()].map((digit) => ROMAN_DIGITS[digit] ?? 0);
  return digits.reduce(
    (sum, digit, index) => sum + (digit < (digits[index + 1] ?? 0) ? -digit : digit),
    0,
  );
}

/** Indices of the non-blank lines near one edge of a page; fewer on a short page. */
function edgeZone(lines: readonly PageLine[], edge: 'top' | 'bottom'): number[] {
  const filled: number[] = [];
  lines.forEach((line, index) => {
    if (line.text.trim() !== '') filled.push(index);
  });
  // A page of a few lines is mostly text: a third of it at each edge, and
  // at least one line, as a page can hold nothing but its header and number.
  const size = Math.max(1, Math.min(EDGE_LINES, Math.floor(filled.length / 3)));
  return edge === 'top' ? filled.slice(0, size) : filled.slice(-size);
}

/** What a line is compared by, or undefined for a line that cannot be furniture. */
function furnitureKey(text: string, look: string | undefined): string | undefined {
  if (PAGE_NUMBER.test(text)) return PAGE_NUMBER_KEY;
  const withoutDigits = text.replace(/\d+/gu, ' ').replace(/\s+/gu, ' ').trim().toLowerCase();
  // Lines of punctuation and numbers only (a rule, a stray "3.2") are not
  // told apart this way, so they are left alone.
  if (!/\p{L}/u.test(withoutDigits)) return undefined;
  return `${look ?? ''}\u0000${withoutDigits}`;
}
