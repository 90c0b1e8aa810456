import { clipText, firstVisibleIndex, STANDALONE_SENTENCE_ENDS } from '@docuthinker/contracts';

const MAX_SUMMARY_CHARS = 400;

/**
 * How much of the text is read: the summary needs its opening only. Uploads
 * reach 25 MB and this runs on the event loop, which every request shares.
 */
const OPENING_CHARS = 16 * MAX_SUMMARY_CHARS;

/**
 * The end of a sentence: Latin closing marks before a space or the end of
 * the text; the marks that only ever end a sentence (ideographic, the
 * Devanagari danda, the Arabic question mark, the Urdu, Ethiopic and Myanmar
 * full stops) where they stand, as the gateway's sentence splitter reads them.
 */
const SENTENCE_END = new RegExp(`[.!?]+(?= |$)|[${STANDALONE_SENTENCE_ENDS}]+`, 'g');

/** A line of underlining or a rule ("=====", "-----", "____", "* * *"): no text of any sentence. */
const RULE_LINE = /^[\s=\-_*#~.]{3,}$/;

/** A roman item number up to 39 ("iv", "XII"). */
const ROMAN = '(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})';

/** A list item's number and its full stop at the start of a line: "2.", "1.3.", "iv.". */
const LINE_ITEM_NUMBER = new RegExp(`^(?:\\d+(?:\\.\\d+)*|${ROMAN})\\.(?=\\s|$)`, 'i');

/** An item number that ends just before a full stop: "2", "1.3", "iv". */
const ITEM_NUMBER_BEFORE = new RegExp(`(?:\\d+(?:\\.\\d+)*|${ROMAN})$`, 'i');

/** The number of a list's first item: "1", "2.1", "i". */
const FIRST_ITEM_NUMBER = /^(?:(?:\d+\.)*1|i)$/i;

/** Longest item number looked back over, so the scan stays linear. */
const MAX_ITEM_NUMBER_CHARS = 12;

interface Opening {
  /** The opening's lines with whitespace collapsed, rules left out, joined by spaces. */
  readonly flat: string;
  /** Offsets in `flat` of the full stops of item numbers that open a line. */
  readonly itemStops: ReadonlySet<number>;
}

function readOpening(text: string): Opening {
  const parts: string[] = [];
  const itemStops = new Set<number>();
  let length = 0;
  // From the first character that shows: trimStart() leaves zero-width
  // characters, and an opening of one and 6,000 spaces was summarised as that
  // one invisible character (found by an exploratory test).
  const opening = text.slice(Math.max(0, firstVisibleIndex(text))).slice(0, OPENING_CHARS);
  for (const rawLine of opening.split('\n')) {
    if (RULE_LINE.test(rawLine)) continue;
    const line = rawLine.replace(/\s+/g, ' ').trim();
    if (line === '') continue;
    const offset = length + (parts.length > 0 ? 1 : 0);
    const item = LINE_ITEM_NUMBER.exec(line);
    if (item) itemStops.add(offset + item[0].length - 1);
    parts.push(line);
    length = offset + line.length;
  }
  // A text of nothing but rules is summarised as it is, not as nothing.
  if (parts.length === 0) return { flat: opening.replace(/\s+/g, ' ').trim(), itemStops };
  return { flat: parts.join(' '), itemStops };
}

/**
 * True when the full stop at `stop` is an item number's ("1." in "… are
 * met: 1. Redistributions …"), not a sentence's end: a number that opens a
 * line, or one run into a paragraph (a list converted from a word processor)
 * right after a sentence end, or a first number ("1", "i") after a colon or
 * semicolon. A number after a word ("see section 2.") ends a sentence.
 */
function isItemNumber(flat: string, stop: number, itemStops: ReadonlySet<number>): boolean {
  if (itemStops.has(stop)) return true;
  const number = ITEM_NUMBER_BEFORE.exec(
    flat.slice(Math.max(0, stop - MAX_ITEM_NUMBER_CHARS), stop),
  )?.[0];
  if (number === undefined) return false;
  const numberStart = stop - number.length;
  if (numberStart === 0) return true;
  if (flat[numberStart - 1] !== ' ') return false;
  const before = flat[numberStart - 2] ?? '';
  return /[.!?]/.test(before) || (/[:;]/.test(before) && FIRST_ITEM_NUMBER.test(number));
}

/**
 * The summary an upload gets before the AI summary is ready (or while the
 * gateway is down): the document's opening sentences, cut at a word. Lines
 * of underlining are left out, and an item number ("2.", "1.3.") is read as
 * the start of its item, never as a sentence end, so the summary does not
 * end on the next item's number. Linear in a bounded prefix of the text: a
 * sentence pattern matched from every position took 7 s on 108 KB of text
 * with no full stop.
 */
export function extractiveSummary(text: string): string {
  const { flat, itemStops } = readOpening(text);
  if (flat.length <= MAX_SUMMARY_CHARS) return flat;
  let end = 0;
  SENTENCE_END.lastIndex = 0;
  for (let found = SENTENCE_END.exec(flat); found; found = SENTENCE_END.exec(flat)) {
    const sentenceEnd = found.index + found[0].length;
    if (sentenceEnd > MAX_SUMMARY_CHARS) break;
    if (found[0] === '.' && isItemNumber(flat, found.index, itemStops)) continue;
    end = sentenceEnd;
  }
  if (end > 0) return flat.slice(0, end);
  // No sentence end within reach: cut at the last space, unless that keeps
  // less than half (text mostly without spaces: Chinese, Japanese, one long
  // token after a heading), then at the limit, never between the halves of a
  // surrogate pair.
  const cut = clipText(flat, MAX_SUMMARY_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > MAX_SUMMARY_CHARS / 2 ? cut.slice(0, lastSpace) : cut}…`;
}
