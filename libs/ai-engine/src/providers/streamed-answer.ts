import { wellFormedText } from '@docuthinker/contracts';
import type { AnswerOutput } from '../tasks/task-types';
import { ProviderError } from './provider-error';

/** One number, or a range of them (`1-3`, `1–3`), in a marker. */
const MARKER_ITEM = String.raw`\d+(?:\s*[-–]\s*\d+)?`;

/**
 * `[2]`, `[1, 3]` or `[1-3]`: the numbers of passages shown to the model,
 * 1-based, as models write them, also spaced (`[ 2 ]`), as footnotes
 * (`[^2]`) or in full-width brackets (`【2】`); with the spaces before the
 * marker, which go with it when it is dropped.
 */
const CITATION_MARKER = new RegExp(
  String.raw`(?<![^\S\r\n])[^\S\r\n]*(?:\[\^?|【)\s*(${MARKER_ITEM}(?:\s*[,;]\s*${MARKER_ITEM})*)\s*[\]】]`,
  'g',
);

const WHITE_SPACE = /\s/;
/** What an opened marker may hold after its bracket, before it closes. */
const MARKER_BODY = /[\s\d,;\-–]/;
const isWhiteSpace = (character: string) => WHITE_SPACE.test(character);
const isMarkerBody = (character: string) => MARKER_BODY.test(character);
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Where the end of a growing text begins that more text could still make
 * part of a marker, or that trimming could still remove: white space, then
 * an opened marker with only a marker's characters after its bracket so far,
 * then a high surrogate whose pair has not arrived. Held back until what
 * follows settles it.
 *
 * Followed as the text grows, each piece read once. Found anew for each
 * piece with a regex ending in `$`, a run of white space was read again from
 * every position in it, for every piece that added to it: a reply of 40,000
 * spaces in pieces of four took 2.5 s.
 */
export class UnsettledEnd {
  private length = 0;
  /** Where the run of white space that ends the text begins; its length if none does. */
  private blankFrom = 0;
  /** Where the opened marker that ends the text begins, the white space before it included. */
  private markerFrom: number | undefined;
  /** The marker's bracket is the last character: `[^` may follow. */
  private justOpened = false;
  /** Where the unsettled end began before the last character, if that is a high surrogate. */
  private beforeHighSurrogate: number | undefined;

  /** Reads the text's next piece; returns where the unsettled end of all read so far begins. */
  add(piece: string): number {
    for (const character of piece.split('')) {
      this.beforeHighSurrogate = isHighSurrogate(character.charCodeAt(0))
        ? (this.markerFrom ?? this.blankFrom)
        : undefined;
      this.length += 1;
      const footnote = this.justOpened && character === '^';
      this.justOpened = false;
      if (this.markerFrom !== undefined && (footnote || isMarkerBody(character))) {
        if (!isWhiteSpace(character)) this.blankFrom = this.length;
        continue;
      }
      if (character === '[' || character === '【') {
        this.markerFrom = this.blankFrom;
        this.justOpened = character === '[';
      } else {
        this.markerFrom = undefined;
      }
      if (!isWhiteSpace(character)) this.blankFrom = this.length;
    }
    return this.beforeHighSurrogate ?? this.markerFrom ?? this.blankFrom;
  }
}

/**
 * The least number in brackets that is no passage's: an answer is shown at
 * most a few dozen passages (`k` of an ask is at most 20), so three digits
 * or more are the text's own (a year, "Miller [2019] UKSC 41"), not a
 * citation.
 */
const NOT_A_PASSAGE_NUMBER = 100;

/**
 * The numbers a marker's items name, each of a range (`1-3` is 1, 2 and 3).
 * A range that runs backwards or reaches NOT_A_PASSAGE_NUMBER (`2019–2020`)
 * names its two ends only.
 */
function markerNumbers(items: readonly string[]): number[] {
  return items.flatMap((item) => {
    const [from = 0, to] = item.split(/[-–]/).map((number) => Number(number.trim()));
    if (to === undefined) return [from];
    if (from > to || to >= NOT_A_PASSAGE_NUMBER) return [from, to];
    return Array.from({ length: to - from + 1 }, (_, offset) => from + offset);
  });
}

/**
 * Brackets right after a word or a parenthesis index something (`items[0]`,
 * `f(x)[2]`). Not after another bracket: models write `[1][2]` for two
 * citations.
 */
const INDEXES_WHAT_PRECEDES = /[\p{L}\p{N}_)]$/u;

/**
 * An answer with `[n]` markers, which name the passages as the model was
 * shown them, read as it arrives. Its citations are the passages it names,
 * each once, in the order first named, and the markers are renumbered to
 * match them: `[n]` in the answer names the n-th citation, whichever passage
 * the model saw as n. A number outside the passages cites nothing and is
 * dropped: left in, a client shows `[7]` as a citation that does not exist
 * (and renumbered answers would mix two numberings), and the reader loses
 * nothing the answer could back. A marker is dropped with the spaces before
 * it, so that "lift them [7]." reads "lift them.". Left as written are a
 * lone number of three digits or more (see NOT_A_PASSAGE_NUMBER) and
 * brackets that index the word before them (`items[0]`). The answer is
 * trimmed, and one that was nothing but markers naming no passage is not one.
 *
 * `push` returns the text that is settled: what follows can no longer change
 * it. The end of what has arrived may still be the start of a marker (`[1`)
 * or white space that trimming removes, so it waits for the next piece. The
 * pieces `push` and `finish` return make the same answer whatever the text
 * was cut into: a streamed reply and a whole one read alike.
 */
export class StreamedAnswer {
  /** The model's text from its first non-white character: markers are read in it. */
  private raw = '';
  /** How much of `raw` has been read; the rest is held back. */
  private settledUpTo = 0;
  /** The answer so far, as returned. */
  private shown = '';
  /** White space after the last shown character, shown once something follows it. */
  private pendingSpace = '';
  private readonly cited: number[] = [];
  private readonly unsettled = new UnsettledEnd();

  constructor(
    private readonly provider: string,
    private readonly passageCount: number,
  ) {}

  /** The model's next piece of text; returns the answer's next settled text, often ''. */
  push(piece: string): string {
    const added = this.raw === '' ? piece.trimStart() : piece;
    this.raw += added;
    const settledEnd = Math.max(this.settledUpTo, this.unsettled.add(added));
    return this.settle(settledEnd, this.raw.slice(this.settledUpTo, settledEnd));
  }

  /**
   * The rest of the answer once the model has finished, and the answer as a
   * whole. Throws `unusable` when nothing that reads as an answer came.
   */
  finish(): { readonly rest: string; readonly output: AnswerOutput } {
    const rest = this.settle(this.raw.length, this.raw.slice(this.settledUpTo).trimEnd());
    if (this.shown.length === 0) {
      throw new ProviderError(this.provider, 'unusable', 'the reply is not text (it is empty)');
    }
    return { rest, output: { answer: this.shown, citedPassages: [...this.cited] } };
  }

  /** Reads `text`, which ends `raw` at `end`, and returns what it adds to the answer. */
  private settle(end: number, text: string): string {
    const start = this.settledUpTo;
    this.settledUpTo = end;
    // Half a character is replaced before markers are dropped, not after:
    // found by the property test below, `\ud83d[2】\ude00` made one
    // character of the two halves once the marker between them went, read
    // whole, but two replacement characters read in pieces split at the
    // marker. The replacement is one code unit, so offsets stay those of `raw`.
    const marked = wellFormedText(text).replace(
      CITATION_MARKER,
      (marker, list: string, offset: number) =>
        // The character before the marker is what it may index; two code
        // units hold it whole.
        this.renumber(
          marker,
          list,
          this.raw.slice(Math.max(0, start + offset - 2), start + offset),
        ),
    );
    // Trimmed as a whole answer is: nothing before its first visible
    // character, and white space at its end only once more text follows.
    const visible = this.shown === '' ? marked.trimStart() : marked;
    const body = visible.trimEnd();
    if (body === '') {
      this.pendingSpace += visible;
      return '';
    }
    const added = this.pendingSpace + body;
    this.pendingSpace = visible.slice(body.length);
    this.shown += added;
    return added;
  }

  private renumber(marker: string, list: string, before: string): string {
    const items = list.split(/[,;]/);
    const numbers = markerNumbers(items);
    const shownAs = numbers.filter((number) => number >= 1 && number <= this.passageCount);
    if (shownAs.length === 0) {
      const textsOwn =
        (items.length === 1 && numbers.every((number) => number >= NOT_A_PASSAGE_NUMBER)) ||
        (marker.startsWith('[') && !marker.startsWith('[^') && INDEXES_WHAT_PRECEDES.test(before));
      return textsOwn ? marker : '';
    }
    const citationNumbers = shownAs.map((number) => {
      const position = this.cited.indexOf(number - 1);
      return position === -1 ? this.cited.push(number - 1) : position + 1;
    });
    const spaces = marker.slice(0, marker.search(/[[【]/));
    return `${spaces}[${[...new Set(citationNumbers)].join(', ')}]`;
  }
}

/** A whole answer read at once (see StreamedAnswer). */
export function parseAnswer(provider: string, text: string, passageCount: number): AnswerOutput {
  const answer = new StreamedAnswer(provider, passageCount);
  answer.push(text);
  return answer.finish().output;
}
