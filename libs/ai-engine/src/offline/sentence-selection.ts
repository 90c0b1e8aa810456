import { codePointBoundary } from '@docuthinker/contracts';
import { splitSentences, type Sentence } from '../text/sentences';
import { contentTerms } from '../text/tokenize';
import { countWords } from '../text/word-count';
import { MAX_RANKED_SENTENCES, selectCandidates } from './sentence-candidates';
import { textRankScores, type RankingWork } from './text-rank';
import { collapseWhitespace } from '../text/collapse-whitespace';

export interface RankedSentence {
  readonly sentence: Sentence;
  readonly position: number;
  readonly score: number;
  /** The sentence's content terms. */
  readonly terms: ReadonlySet<string>;
}

export interface RankingOptions {
  /** Sentences with these terms rank higher ("focus on …"). */
  readonly focusTerms?: readonly string[];
  /** Counts the work done, for callers that bound it. */
  readonly work?: RankingWork;
}

const MIN_WORDS = 5;

/**
 * Longest sentence the offline tasks quote, as long as a retrieval chunk.
 * Prose sentences stay whole (the corpus licences' longest is under 700
 * characters); a text without sentence ends (an export of lines, a
 * transcript) would otherwise be one "sentence" quoted whole by every
 * summary, so it is ranked and quoted in word-aligned pieces.
 */
export const MAX_SENTENCE_CHARS = 700;

function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 20 && letters === letters.toUpperCase();
}

/**
 * The text's sentences, none longer than MAX_SENTENCE_CHARS; a text that has
 * characters but no sentence (only rules such as "-----") is one sentence,
 * clipped likewise, so nothing non-empty ranks empty.
 */
export function sentencesOf(text: string): Sentence[] {
  const sentences = splitSentences(text, { maxChars: MAX_SENTENCE_CHARS });
  if (sentences.length > 0 || text.trim().length === 0) return sentences;
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  const whole = clip(collapseWhitespace(text), MAX_SENTENCE_CHARS);
  return [{ text: whole, start, end, block: 0, isHeading: false }];
}

/** A markup tag or comment delimiter: "<match type=\"string\"/>", "</a>", "<?xml …?>", "-->". */
const MARKUP_TAG = /<[!?/]?[A-Za-z][^<>]{0,200}>|<!--|-->/g;
const OPENS_WITH_TAG = /^<[!?/]?[A-Za-z][^<>]{0,200}>/;
/** Characters prose seldom has and code or markup is full of. */
const CODE_SYMBOLS = /[<>{}=\\|`;]/g;
/** Characters prose has too (quotes, paths, brackets), weighted half. */
const CODE_LEANING = /["'/[\]]/g;
/**
 * Share of a sentence, weighted, in markup and code symbols above which it
 * reads as code. Prose in the corpus stays under 0.06 (a definition in
 * quotes, a URL, a list of quoted key words); XML samples and grammar lines
 * in the MIME spec are at 0.14 and above.
 */
const CODE_SHARE = 0.12;

const countOf = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/**
 * True for a sentence that is code or markup rather than prose: one that
 * opens with a tag ("<magic priority=\"50\">"), or whose characters are
 * largely tags and symbols such as < > = { } ; and quotes and slashes.
 * Sentences are at most MAX_SENTENCE_CHARS long, so this is bounded work.
 */
export function looksLikeCode(text: string): boolean {
  if (OPENS_WITH_TAG.test(text)) return true;
  const visible = text.replace(/\s+/g, '').length;
  if (visible === 0) return false;
  let tagChars = 0;
  const rest = text.replace(MARKUP_TAG, (tag) => {
    tagChars += tag.replace(/\s+/g, '').length;
    return ' ';
  });
  const weighted = tagChars + countOf(rest, CODE_SYMBOLS) + 0.5 * countOf(rest, CODE_LEANING);
  return weighted / visible >= CODE_SHARE;
}

/**
 * Positions of the sentences worth quoting: full sentences of prose that are
 * not headings. Code and markup (an XML sample, a grammar line) stay in the
 * text, for retrieval, but are quoted only when a text has no full sentence
 * of prose. A short text may have no full sentence (a one-line note, a few
 * words of Chinese), and then its other sentences are the best there are:
 * first the short ones, then headings. Words are counted by Unicode's rules,
 * so text without spaces between words is not taken for one word.
 */
function quotable(sentences: readonly Sentence[]): number[] {
  const positions = sentences.map((_sentence, position) => position);
  const full = positions.filter((position) => {
    const sentence = sentences[position] as Sentence;
    return !sentence.isHeading && countWords(sentence.text, MIN_WORDS) >= MIN_WORDS;
  });
  const prose = full.filter((position) => !looksLikeCode((sentences[position] as Sentence).text));
  if (prose.length > 0) return prose;
  if (full.length > 0) return full;
  const nonHeadings = positions.filter((position) => !(sentences[position] as Sentence).isHeading);
  return nonHeadings.length > 0 ? nonHeadings : positions;
}

/**
 * Sentences worth quoting, best first: headings and fragments are left out,
 * and all-capitals boilerplate (warranty disclaimers) is ranked down because
 * it is rarely what a reader wants summarised. A text of up to
 * MAX_RANKED_SENTENCES sentences is ranked whole by TextRank; a longer one
 * over the candidates its central terms point to, so that the work stays
 * near-linear in the text. Sentences outside the candidates follow them, in
 * document order.
 */
export function rankSentences(text: string, options: RankingOptions = {}): RankedSentence[] {
  const sentences = sentencesOf(text);
  // Sets only, no term lists kept beside them: a text of half a million
  // one-word sentences ran the worker out of its heap (found in review).
  const termSets = sentences.map((sentence) => new Set(contentTerms(sentence.text)));
  const focus = new Set(options.focusTerms ?? []);
  const focusFactors =
    focus.size === 0
      ? undefined
      : Float64Array.from(sentences, (sentence) => {
          const sentenceTerms = contentTerms(sentence.text);
          const hits = sentenceTerms.filter((term) => focus.has(term)).length;
          return 1 + (2 * hits) / Math.max(1, Math.sqrt(sentenceTerms.length));
        });
  const prior = (position: number): number => {
    const sentence = sentences[position] as Sentence;
    const factor = isShouting(sentence.text) ? 0.5 : 1;
    return focusFactors ? factor * (focusFactors[position] as number) : factor;
  };
  const eligible = quotable(sentences);

  const graph =
    sentences.length <= MAX_RANKED_SENTENCES
      ? sentences.map((_sentence, position) => position)
      : selectCandidates({
          termSets,
          texts: sentences.map((sentence) => sentence.text),
          eligible,
          prior,
        });
  const graphScores = textRankScores(
    graph.map((position) => termSets[position] as Set<string>),
    options.work,
  );
  const scores = new Map(graph.map((position, index) => [position, graphScores[index] ?? 0]));

  const ranked = eligible.map((position) => ({
    sentence: sentences[position] as Sentence,
    position,
    score: (scores.get(position) ?? 0) * prior(position),
    terms: termSets[position] as Set<string>,
  }));
  return ranked.sort((left, right) => right.score - left.score || left.position - right.position);
}

/**
 * Sentences as running text: a space after a Latin full stop, none after an
 * ideographic one ("。"), as Chinese and Japanese are written.
 */
export function joinSentences(texts: readonly string[]): string {
  return texts
    .map((text, index) =>
      index === 0 || /[。！？][」』”’）]*$/.test(texts[index - 1] ?? '') ? text : ` ${text}`,
    )
    .join('');
}

/** The best `count` sentences, back in document order. */
export function topSentencesInOrder(
  ranked: readonly RankedSentence[],
  count: number,
): RankedSentence[] {
  return ranked.slice(0, count).sort((left, right) => left.position - right.position);
}

/** How many sentences a summary of a text with `available` candidates should have. */
export function summaryLength(available: number): number {
  return Math.min(available, Math.max(2, Math.min(6, Math.round(available * 0.12))));
}

export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, codePointBoundary(text, 0, maxChars - 1));
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxChars * 0.6 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:]+$/, '')}…`;
}
