import { codePointBoundary, STANDALONE_SENTENCE_ENDS } from '@docuthinker/contracts';
import { countWords } from './word-count';
import { collapseWhitespace } from './collapse-whitespace';

export interface Sentence {
  /**
   * The sentence with whitespace collapsed and any list marker removed; a
   * piece of an over-long sentence (SplitOptions.maxChars) ends with "…"
   * when the sentence goes on after it.
   */
  readonly text: string;
  /** Offset of the sentence (list marker included) in the source text. */
  readonly start: number;
  /** Offset just past the sentence's last character. */
  readonly end: number;
  /** Index of the paragraph or list item the sentence belongs to. */
  readonly block: number;
  /** A short line standing alone, such as "1. Definitions" or a title. */
  readonly isHeading: boolean;
}

interface Block {
  start: number;
  end: number;
  lines: number;
}

export interface SplitOptions {
  /**
   * Longest sentence to return. A longer one (text with no sentence ends, a
   * run-on export) is cut at word boundaries into pieces of at most this many
   * characters; every piece but the last ends with "…", so a quote of it says
   * that it stops mid-sentence. Without it, sentences are as long as they are.
   */
  readonly maxChars?: number;
}

/** A sentence, or a piece of one, within its block. */
interface Span {
  readonly from: number;
  readonly to: number;
  /** The sentence goes on after this piece. */
  readonly clipped?: boolean;
  /** The piece starts mid-sentence, so it has no list marker to remove. */
  readonly continued?: boolean;
  /** The span starts with a list item's number ("2.", "iv."), to remove. */
  readonly numbered?: boolean;
}

/** A roman item number up to 39 ("iv", "XII"), without its full stop. */
const ROMAN = '(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})';
/** An initial after a one-letter roman number: "I. M. Pei" names a person. */
const NOT_AN_INITIAL = '(?![ivx]\\.\\s*[a-z]\\.(?:\\s|$))';
/**
 * A list item's marker: "2.", "1.3.", "iv.", "(a)", "b)", "-". It may stand
 * alone on its line, with the item's text on the next.
 */
const LIST_MARKER = new RegExp(
  `^\\s*(?:\\d+(?:\\.\\d+)*[.)]|${NOT_AN_INITIAL}${ROMAN}\\.|\\(?[a-z0-9]{1,4}\\)|[-*•])(?:\\s+|$)`,
  'i',
);
/**
 * The markers removed from a sentence that does not start an item: "(a)",
 * "b)", "-", but not a number with a full stop, which is then text of its
 * own ("What is the answer? 42.").
 */
const UNNUMBERED_MARKER = /^\s*(?:\(?[a-z0-9]{1,4}\)|[-*•])\s+/i;
/**
 * A one-letter roman marker ("v.", "I."), which opens an item on a line of
 * its own only after a sentence end: a hard-wrapped line may start with
 * "v. Wade" or "I. M. Pei".
 */
const ONE_LETTER_MARKER = /^\s*[ivx]\.(?:\s|$)/i;
/** A line that ends a sentence or opens a list. */
const ENDS_SENTENCE = new RegExp(
  `[.!?:;：；${STANDALONE_SENTENCE_ENDS}]["'”’)\\]」』）]*\\s*$`,
  'u',
);
/** Largest number without a dot that is read as an item run into a paragraph. */
const MAX_INLINE_ITEM = 20;
/** An item number that a full stop follows: "2", "1.3", "iv". */
const ITEM_NUMBER = new RegExp(`^(?:\\d+(?:\\.\\d+)*|${ROMAN})$`, 'i');
const CLOSING_MARK = /["'”’)\]]/;
/** The number of a list's first item: "1", "2.1", "i". */
const FIRST_ITEM_NUMBER = /^(?:(?:\d+\.)*1|i)$/i;
const DECORATION_LINE = /^[\s=\-_*#~.]{3,}$/;
// Latin full stops end a sentence only before a space; the ideographic ones
// (Chinese, Japanese) end it where they stand, as those scripts use no
// spaces, and so do the marks that only ever end a sentence: the Devanagari
// danda and double danda, the Arabic question mark and the Urdu full stop,
// the Ethiopic and Myanmar full stops (found in an exploratory test: a Hindi
// text of seven sentences was one, and its summary the whole text).
const SENTENCE_END = new RegExp(
  `[.!?]+["'”’)\\]]*(?=\\s|$)|[${STANDALONE_SENTENCE_ENDS}]+[」』”’）]*`,
  'gu',
);
const STANDALONE_END = new RegExp(`^[${STANDALONE_SENTENCE_ENDS}]`, 'u');
/** A sentence's last mark, comma and colon included: a heading ends without one. */
const ENDS_WITH_PUNCTUATION = new RegExp(
  `[.!?:;,：；，،${STANDALONE_SENTENCE_ENDS}]["'”’)」』）]*$`,
  'u',
);
const ABBREVIATIONS = new Set([
  'e.g',
  'i.e',
  'etc',
  'vs',
  'cf',
  'inc',
  'ltd',
  'co',
  'corp',
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'no',
  'sec',
  'fig',
  'u.s',
  'approx',
]);

/**
 * Paragraphs and list items. Hard-wrapped lines are joined; a blank line, a
 * line of underlining or a line that starts with a list marker ("1.", "(a)",
 * "-") starts a new block.
 */
function splitBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  const close = () => {
    if (current) blocks.push(current);
    current = undefined;
  };
  let lineStart = 0;
  let previousLine = '';
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() === '' || DECORATION_LINE.test(line)) {
      close();
    } else {
      const opensItem =
        LIST_MARKER.test(line) &&
        (!current || !ONE_LETTER_MARKER.test(line) || ENDS_SENTENCE.test(previousLine));
      if (opensItem) close();
      previousLine = line;
      if (current) {
        current.end = lineEnd;
        current.lines += 1;
      } else {
        current = { start: lineStart, end: lineEnd, lines: 1 };
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  close();
  return blocks;
}

// "*  text  *": the borders of an asterisk box, as plain-text licences draw
// their warranty sections. A border is an asterisk set off by two spaces.
const BOX_LEFT_BORDER = /^([ \t]*)\*(?=[ \t]{2})/gm;
const BOX_RIGHT_BORDER = /(?<=[ \t]{2})\*([ \t]*)$/gm;

/**
 * Blanks out box borders with spaces, so that offsets into the result are
 * offsets into the source.
 */
function unbox(text: string): string {
  return text.replace(BOX_LEFT_BORDER, '$1 ').replace(BOX_RIGHT_BORDER, ' $1');
}

const TOKEN_BOUNDARY = /[\s(“"'[]/;

/**
 * The word that ends at `end`. It scans back from `end` only as far as the
 * word goes: a regex anchored at the end of the text before would try every
 * start position, and sentences that run on ("a. b. c. …") would make the
 * split quadratic in the length of a paragraph.
 */
function tokenBefore(text: string, end: number): string {
  let start = end;
  while (start > 0 && !TOKEN_BOUNDARY.test(text[start - 1] ?? '')) start -= 1;
  return text.slice(start, end);
}

function isAbbreviation(text: string, end: number): boolean {
  const token = tokenBefore(text, end).toLowerCase();
  if (ABBREVIATIONS.has(token)) return true;
  // A single letter before the period is an initial ("J. Smith") or a list
  // label, not the end of a sentence.
  return /^\p{L}$/u.test(token);
}

const NEXT_NON_SPACE = /\s*(\S)/y;

/** English month abbreviations, which end a sentence only when no date follows. */
const MONTH_ABBREVIATIONS = new Set([
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);

/**
 * A month's abbreviation with a day or year after it ("Jan. 5", "Sept.
 * 2027"): the date goes on. Before a capital ("closed in Feb. The next …")
 * it ends its sentence like any word.
 */
function isMonthBeforeNumber(text: string, end: number, from: number): boolean {
  if (!MONTH_ABBREVIATIONS.has(tokenBefore(text, end).toLowerCase())) return false;
  NEXT_NON_SPACE.lastIndex = from;
  return /\d/.test(NEXT_NON_SPACE.exec(text)?.[1] ?? '');
}

/** True when the text after `from` goes on with a lower-case letter. */
function startsLowercase(text: string, from: number): boolean {
  NEXT_NON_SPACE.lastIndex = from;
  const next = NEXT_NON_SPACE.exec(text)?.[1];
  return next !== undefined && next !== next.toUpperCase();
}

/**
 * Where a list item starts when `match` is the full stop of an item number
 * run into the paragraph, as a list converted from a word processor reads
 * ("… are met: 1. Redistributions … disclaimer. 2. Redistributions …"): a
 * number ("2", "1.3", "iv") right after a sentence end, or a first number
 * ("1", "2.1", "i") after a colon or semicolon. A number after a word ("see
 * section 2.") ends its sentence as usual, and so does one after a colon
 * that cannot open a list ("Total: 42."). Scans back over the number and the
 * spaces before it only, so the split stays linear.
 */
function inlineItemStart(
  text: string,
  cursor: number,
  match: RegExpMatchArray & { index: number },
): number | undefined {
  if (match[0] !== '.') return undefined;
  const token = tokenBefore(text, match.index);
  if (!isInlineItemNumber(text, token, match.index + 1)) return undefined;
  const start = match.index - token.length;
  let before = start;
  while (before > cursor && WHITESPACE.test(text[before - 1] ?? '')) before -= 1;
  if (before === start && before > cursor) return undefined;
  if (before === cursor) return start;
  if (/[:;]/.test(text[before - 1] ?? '')) return FIRST_ITEM_NUMBER.test(token) ? start : undefined;
  // A sentence end that was not taken for one, as a lower-case number
  // ("… goes on. iv. …") follows it.
  let end = before;
  while (end > cursor && CLOSING_MARK.test(text[end - 1] ?? '')) end -= 1;
  const mark = text[end - 1] ?? '';
  if (mark === '.') return isAbbreviation(text, end - 1) ? undefined : start;
  return mark === '!' || mark === '?' ? start : undefined;
}

/**
 * A number that may be an item's run into a paragraph, its full stop ending
 * at `end`: "2", "1.3" or "iv", but not a year or an answer ("2023.", "42."),
 * which is a sentence of its own, nor the first of a person's initials
 * ("I. M. Pei").
 */
function isInlineItemNumber(text: string, token: string, end: number): boolean {
  if (!ITEM_NUMBER.test(token)) return false;
  if (/^\d+$/.test(token)) return Number(token) <= MAX_INLINE_ITEM;
  if (token.length !== 1) return true;
  return !/^\s*\p{L}\.(?:\s|$)/u.test(text.slice(end, end + 8));
}

/** The span's text, without its list marker; `numbered` when it starts an item. */
function sentenceText(raw: string, numbered: boolean): string {
  return collapseWhitespace(raw.replace(numbered ? LIST_MARKER : UNNUMBERED_MARKER, ''));
}

const ELLIPSIS = '…';
const WHITESPACE = /\s/;
// A piece needs room for a word and the ellipsis.
const MIN_PIECE_CHARS = 16;

/**
 * Where a piece of at most `size` characters starting at `from` should end:
 * after the last word that fits (the ellipsis included), or at a code point
 * when the window has no space (Chinese, a long URL). Only the window's
 * second half is searched, so a text without spaces does not make the split
 * quadratic.
 */
function pieceEnd(text: string, from: number, size: number): number {
  const limit = from + size - ELLIPSIS.length;
  const earliest = from + Math.floor(size / 2);
  for (let index = limit; index > earliest; index -= 1) {
    if (WHITESPACE.test(text[index] ?? '')) return index;
  }
  return codePointBoundary(text, from, limit);
}

/**
 * Cuts a span longer than `maxChars` into word-aligned pieces of about
 * equal length, so that a sentence just over the limit does not leave a
 * stub of a few words. Lengths are measured on the raw text, whose
 * whitespace only shrinks when collapsed, so no piece's text comes out
 * longer than `maxChars`.
 */
function boundSpan(text: string, from: number, until: number, maxChars: number): Span[] {
  const pieces: Span[] = [];
  let start = from;
  let to = until;
  // Measured without the whitespace at either end, which collapses away:
  // trailing spaces counted would leave an empty last piece.
  while (to > start && WHITESPACE.test(text[to - 1] ?? '')) to -= 1;
  while (start < to && WHITESPACE.test(text[start] ?? '')) start += 1;
  const size = Math.ceil((to - start) / Math.ceil((to - start) / maxChars));
  while (to - start > maxChars) {
    const end = pieceEnd(text, start, size);
    pieces.push({ from: start, to: end, clipped: true, continued: pieces.length > 0 });
    start = end;
    while (start < to && WHITESPACE.test(text[start] ?? '')) start += 1;
  }
  pieces.push({ from: start, to, continued: pieces.length > 0 });
  return pieces;
}

function spanText(raw: string, span: Span): string {
  const text = span.continued ? collapseWhitespace(raw) : sentenceText(raw, span.numbered ?? false);
  // A piece that stops mid-sentence drops a dangling comma or colon for the ellipsis.
  return span.clipped ? `${text.replace(/[\s,;:]+$/, '')}${ELLIPSIS}` : text;
}

/**
 * Scripts whose sentences end without a mark (Thai, Lao: a space between
 * sentences): a line of theirs without one is no heading for that alone.
 */
const UNMARKED_SENTENCE_SCRIPT = /[\p{sc=Thai}\p{sc=Lao}]/u;

function looksLikeHeading(text: string, block: Block, sentencesInBlock: number): boolean {
  if (block.lines !== 1 || sentencesInBlock !== 1) return false;
  const wordCount = countWords(text, 11);
  if (UNMARKED_SENTENCE_SCRIPT.test(text)) return wordCount <= 3;
  return wordCount <= 10 && (!ENDS_WITH_PUNCTUATION.test(text) || wordCount <= 3);
}

/**
 * Splits text into sentences with their offsets in the source. It knows
 * hard-wrapped plain text (licences, READMEs, extracted PDFs): numbered and
 * lettered list items, underlined titles and common abbreviations. With
 * `maxChars`, over-long sentences come back as pieces (see SplitOptions).
 */
export function splitSentences(source: string, options: SplitOptions = {}): Sentence[] {
  const text = unbox(source);
  const maxChars =
    options.maxChars === undefined ? undefined : Math.max(MIN_PIECE_CHARS, options.maxChars);
  const sentences: Sentence[] = [];
  splitBlocks(text).forEach((block, blockIndex) => {
    const blockText = text.slice(block.start, block.end);
    const spans: Span[] = [];
    // A span starts an item at the block's start or at a number run into it.
    const pushSpan = (from: number, to: number, numbered: boolean) => {
      const length = sentenceText(blockText.slice(from, to), numbered).length;
      if (length === 0) return;
      // Measured as collapsed, so a hard-wrapped and indented sentence is not cut for its margins.
      if (maxChars === undefined || length <= maxChars) spans.push({ from, to, numbered });
      else {
        const [first, ...rest] = boundSpan(blockText, from, to, maxChars);
        if (first) spans.push({ ...first, numbered }, ...rest);
      }
    };
    // The list marker ("1.", "1.1.") belongs to the first sentence.
    const markerLength = LIST_MARKER.exec(blockText)?.[0].length ?? 0;
    let cursor = 0;
    let numbered = true;
    for (const match of blockText.matchAll(SENTENCE_END)) {
      if (match.index < markerLength) continue;
      const end = match.index + match[0].length;
      const standalone = STANDALONE_END.test(match[0]);
      const item = standalone ? undefined : inlineItemStart(blockText, cursor, match);
      if (item !== undefined) {
        // "… are met: 1. Redistributions …": the number starts the next
        // sentence, and the text before it, if any, ends there.
        pushSpan(cursor, item, numbered);
        cursor = item;
        numbered = true;
        continue;
      }
      if (
        !standalone &&
        (isAbbreviation(blockText, match.index) ||
          startsLowercase(blockText, end) ||
          (match[0].startsWith('.') && isMonthBeforeNumber(blockText, match.index, end)))
      )
        continue;
      pushSpan(cursor, end, numbered);
      cursor = end;
      numbered = false;
    }
    pushSpan(cursor, blockText.length, numbered);

    for (const span of spans) {
      const { from, to } = span;
      const raw = blockText.slice(from, to);
      const leading = raw.length - raw.trimStart().length;
      const trailing = raw.length - raw.trimEnd().length;
      const sentence = spanText(raw, span);
      sentences.push({
        text: sentence,
        start: block.start + from + leading,
        end: block.start + to - trailing,
        block: blockIndex,
        isHeading: looksLikeHeading(sentence, block, spans.length),
      });
    }
  });
  return sentences;
}
