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
 * is not. And each line is furniture only for what it is itself: the very
 * text that repeats, or a number at the very distance from its page's number
 * that repeats. An equation number "(7)" on page 3 is not page 3's number,
 * nor is a year or a table's figure next to it.
 *
 * What is removed here is lost for good, so when in doubt a line stays:
 * - a long line (MAX_FURNITURE_CHARACTERS, MAX_FURNITURE_WORDS) is text;
 * - a short page (fewer than LONG_PAGE_LINES lines: a form, a slide, a page
 *   pdf.js gave no line ends for) can hardly tell its edges from its text,
 *   so it keeps a line that repeats on the other pages' edges unless that
 *   line is a page number, the same text repeats on long pages too, or its
 *   number follows the page while the page's own number is furniture;
 * - a page keeps at least half of its characters, but for lines that are
 *   exactly a running line or a page number.
 * Text that repeats further into the pages is never furniture, nor is
 * anything in a document of one or two pages.
 *
 * Linear in the number of lines: each page's few edge lines are counted once.
 */
export function findPageFurniture(pages: readonly (readonly PageLine[])[]): ReadonlySet<number>[] {
  const furniture = pages.map(() => new Set<number>());
  if (pages.length < MIN_PAGES_WITH_FURNITURE) return furniture;
  const pagesNeeded = Math.max(MIN_PAGES_WITH_FURNITURE, (pages.length - 1) / 2);
  const longPage = pages.map((lines) => filledLines(lines).length >= LONG_PAGE_LINES);
  const found = pages.map(() => [] as FoundLine[]);
  for (const edge of ['top', 'bottom'] as const) {
    const candidates = pages.map((lines) =>
      edgeZone(lines, edge).map((index): Candidate => {
        const text = (lines[index] as PageLine).text.replace(/\s+/gu, ' ').trim();
        return { index, text, key: furnitureKey(text, lines[index]?.look) };
      }),
    );
    const tallies = new Map<string, RepeatTally>();
    candidates.forEach((zone, page) => {
      for (const { key, text } of zone) {
        if (key === undefined) continue;
        let tally = tallies.get(key);
        if (tally === undefined)
          tallies.set(key, (tally = new RepeatTally(key === PAGE_NUMBER_KEY, pagesNeeded)));
        tally.add(text, page + 1, longPage[page] === true);
      }
    });
    candidates.forEach((zone, page) => {
      for (const candidate of zone) {
        const kind = candidate.key && tallies.get(candidate.key)?.match(candidate.text, page + 1);
        if (kind) found[page]?.push({ ...candidate, kind });
      }
    });
  }
  found.forEach((lines, page) => {
    const pageLines = pages[page] as readonly PageLine[];
    const hasPageNumber = lines.some(({ kind }) => kind.pageNumber);
    let removable = lines.filter(({ kind }) => {
      if (kind.pageNumber) return true;
      if (longPage[page]) return true;
      // A short page: only what long pages, or its own number, vouch for.
      return kind.supportedOnLongPages || (kind.byOffset && hasPageNumber);
    });
    const characters = (indices: Iterable<number>) =>
      [...indices].reduce((sum, index) => sum + nonSpaceLength(pageLines[index]?.text ?? ''), 0);
    const removed = new Set(removable.map(({ index }) => index));
    if (characters(removed) * 2 > characters(pageLines.keys())) {
      // Most of the page would go: keep all but exact running lines and page numbers.
      removable = removable.filter(({ kind }) => !kind.byOffset);
    }
    for (const { index } of removable) furniture[page]?.add(index);
  });
  return furniture;
}

/** A page's line near one of its edges, and what it is compared by. */
interface Candidate {
  readonly index: number;
  readonly text: string;
  readonly key: string | undefined;
}

/** A candidate line that is what repeats. */
interface FoundLine extends Candidate {
  readonly kind: FurnitureKind;
}

/** Why a line is furniture. */
interface FurnitureKind {
  /** A page number standing alone, following the pages. */
  readonly pageNumber: boolean;
  /** Only its number follows the pages: its text is not the same on every page. */
  readonly byOffset: boolean;
  /** Its text, or its number's distance from the page number, repeats on long pages too. */
  readonly supportedOnLongPages: boolean;
}

/** Pages with at least this many lines have edges to tell from their text. */
const LONG_PAGE_LINES = 6;
/** Lines longer than this are text, never furniture. */
const MAX_FURNITURE_CHARACTERS = 100;
const MAX_FURNITURE_WORDS = 12;

/** How many pages, and how many long pages, show one thing. */
class PageCount {
  pages = 0;
  longPages = 0;
  private lastPage = 0;

  add(pageNumber: number, long: boolean): void {
    if (pageNumber === this.lastPage) return;
    this.lastPage = pageNumber;
    this.pages += 1;
    if (long) this.longPages += 1;
  }
}

/**
 * The pages on which lines alike (by furnitureKey) really repeat: one same
 * text, or a number at one same distance from the page's number. Each page
 * counts once for each text and each distance it shows.
 */
class RepeatTally {
  private readonly pagesByText = new Map<string, PageCount>();
  private readonly pagesByOffset = new Map<number, PageCount>();

  /**
   * @param pageNumbers whether the lines are page numbers standing alone.
   * @param needed how many pages must show a text or distance for it to repeat.
   */
  constructor(
    private readonly pageNumbers: boolean,
    private readonly needed: number,
  ) {}

  add(text: string, pageNumber: number, long: boolean): void {
    if (!this.pageNumbers) count(this.pagesByText, text).add(pageNumber, long);
    for (const offset of this.offsets(text, pageNumber)) {
      count(this.pagesByOffset, offset).add(pageNumber, long);
    }
  }

  /** Whether, and how, the line `text` on page `pageNumber` is furniture. */
  match(text: string, pageNumber: number): FurnitureKind | undefined {
    const byText = this.pagesByText.get(text);
    if (byText !== undefined && byText.pages >= this.needed) {
      return {
        pageNumber: false,
        byOffset: false,
        supportedOnLongPages: byText.longPages >= MIN_PAGES_WITH_FURNITURE,
      };
    }
    for (const offset of this.offsets(text, pageNumber)) {
      const byOffset = this.pagesByOffset.get(offset);
      if (byOffset !== undefined && byOffset.pages >= this.needed) {
        return {
          pageNumber: this.pageNumbers,
          byOffset: !this.pageNumbers,
          supportedOnLongPages: byOffset.longPages >= MIN_PAGES_WITH_FURNITURE,
        };
      }
    }
    return undefined;
  }

  /** A page number standing alone is its first number ("3 of 9"); other lines may hold it anywhere. */
  private offsets(text: string, pageNumber: number): Set<number> {
    const numbers = numbersIn(text);
    return new Set(
      (this.pageNumbers ? numbers.slice(0, 1) : numbers).map((number) => number - pageNumber),
    );
  }
}

function count<K>(counts: Map<K, PageCount>, key: K): PageCount {
  let pageCount = counts.get(key);
  if (pageCount === undefined) counts.set(key, (pageCount = new PageCount()));
  return pageCount;
}

function nonSpaceLength(text: string): number {
  return text.replace(/\s+/gu, '').length;
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
  const filled = filledLines(lines);
  // A page of a few lines is mostly text: a third of it at each edge, and
  // at least one line, as a page can hold nothing but its header and number.
  const size = Math.max(1, Math.min(EDGE_LINES, Math.floor(filled.length / 3)));
  return edge === 'top' ? filled.slice(0, size) : filled.slice(-size);
}

/** Indices of a page's non-blank lines. */
function filledLines(lines: readonly PageLine[]): number[] {
  const filled: number[] = [];
  lines.forEach((line, index) => {
    if (line.text.trim() !== '') filled.push(index);
  });
  return filled;
}

/** What a line is compared by, or undefined for a line that cannot be furniture. */
function furnitureKey(text: string, look: string | undefined): string | undefined {
  // A long line is text: a page pdf.js gave no line ends for, say.
  if (text.length > MAX_FURNITURE_CHARACTERS || text.split(' ').length > MAX_FURNITURE_WORDS) {
    return undefined;
  }
  if (PAGE_NUMBER.test(text)) return PAGE_NUMBER_KEY;
  const withoutDigits = text.replace(/\d+/gu, ' ').replace(/\s+/gu, ' ').trim().toLowerCase();
  // Lines of punctuation and numbers only (a rule, a stray "3.2") are not
  // told apart this way, so they are left alone.
  if (!/\p{L}/u.test(withoutDigits)) return undefined;
  return `${look ?? ''}\u0000${withoutDigits}`;
}
