import { splitSentences } from '../text/sentences';
import { stem } from '../text/stem';
import { words } from '../text/tokenize';
import { compareCodeUnits } from '../text/code-unit-order';
import { INTENSIFIERS, NEGATIONS, SENTIMENT_LEXICON } from './sentiment-lexicon';

export type SentimentLabel = 'positive' | 'negative' | 'neutral' | 'mixed';

export interface SentimentResult {
  /** -1 (very negative) .. 1 (very positive). */
  readonly score: number;
  readonly label: SentimentLabel;
  readonly description: string;
}

const NEGATION_WINDOW = 3;
/**
 * Negations that reach only the word after them, their object: "without
 * problems", but not "best" in "without doubt the best" (found in review:
 * that praise read as negative).
 */
const ONE_WORD_NEGATIONS = new Set(['without']);
/**
 * The cue weight at which a one-sided text scores ±0.5: a text's score is
 * the balance of its cues, (positive − negative) / all, scaled by
 * weight / (weight + this), so a single word says less than many. VADER's
 * compound score (the net sum over √(sum² + 15)), used before, is made for
 * sentences: over a document it grew with the count of cues, not their
 * balance, so 41 positive and 40 negative cues read +0.46 "mostly positive"
 * and the Apache licence, 22 and 23, −0.80 (exploratory test).
 */
const HALF_CONFIDENCE_WEIGHT = 3;
export const NEUTRAL_BAND = 0.05;
/** A text whose weaker side holds more than this share of the cue weight is mixed. */
export const MIXED_SHARE = 0.4;
// Boilerplate whose words look negated but mean nothing either way.
const NEUTRAL_IDIOMS = /\b(?:but\s+)?not\s+limited\s+to\b|\bwithout\s+limitation\b/gi;

function valence(word: string): number | undefined {
  return SENTIMENT_LEXICON.get(word) ?? SENTIMENT_LEXICON.get(stem(word));
}

/**
 * The words after which "like" is the verb ("I like it", "would like",
 * "don't like", "really like"); elsewhere it is the preposition ("formats
 * like Ogg", "looks like rain"), which says nothing. Found in review: a
 * specification full of "like" read +0.99.
 */
const LIKE_AS_VERB_AFTER = new Set(
  `i we you they he she people users customers everyone everybody nobody who would do does did
   don't doesn't didn't not never also still really truly definitely just to`.split(/\s+/),
);

/** The valence of `tokens[index]` in its sentence; undefined for a word that is no cue there. */
function valenceAt(tokens: readonly string[], index: number): number | undefined {
  const word = tokens[index] ?? '';
  if ((word === 'like' || word === 'likes') && !LIKE_AS_VERB_AFTER.has(tokens[index - 1] ?? '')) {
    return undefined;
  }
  return valence(word);
}

function listTerms(terms: Map<string, number>): string {
  return [...terms.entries()]
    .sort((a, b) => b[1] - a[1] || compareCodeUnits(a[0], b[0]))
    .slice(0, 4)
    .map(([term]) => `"${term}"`)
    .join(', ');
}

/**
 * The text's words, one run per sentence. Each run covers the text from the
 * end of the sentence before to the end of its own, so together they hold
 * every word of the text, list markers included.
 */
function sentenceRuns(text: string): string[][] {
  const runs: string[][] = [];
  let from = 0;
  for (const sentence of splitSentences(text)) {
    runs.push(words(text.slice(from, sentence.end)));
    from = sentence.end;
  }
  runs.push(words(text.slice(from)));
  return runs;
}

interface Tally {
  sum: number;
  positiveWeight: number;
  negativeWeight: number;
  readonly positives: Map<string, number>;
  readonly negatives: Map<string, number>;
}

/** Adds one sentence's cue words to the tally; negation and intensity start afresh. */
function scoreSentence(tokens: readonly string[], tally: Tally): void {
  let negatedUntil = -1;
  let intensity = 1;
  tokens.forEach((word, index) => {
    if (NEGATIONS.has(word)) {
      negatedUntil = index + (ONE_WORD_NEGATIONS.has(word) ? 1 : NEGATION_WINDOW);
      return;
    }
    const boost = INTENSIFIERS.get(word);
    if (boost !== undefined) {
      intensity = boost;
      return;
    }
    const base = valenceAt(tokens, index);
    if (base === undefined) {
      intensity = 1;
      return;
    }
    const negated = index <= negatedUntil;
    // A negated word flips but weakens: "not good" is milder than "bad".
    const signed = base * intensity * (negated ? -0.75 : 1);
    intensity = 1;
    tally.sum += signed;
    const label = negated ? `not ${word}` : word;
    if (signed > 0) {
      tally.positiveWeight += signed;
      tally.positives.set(label, (tally.positives.get(label) ?? 0) + 1);
    } else if (signed < 0) {
      tally.negativeWeight -= signed;
      tally.negatives.set(label, (tally.negatives.get(label) ?? 0) + 1);
    }
  });
}

/** True for a word the lexicon gives a valence, a negation or an intensity. */
export function isSentimentCue(word: string): boolean {
  return valence(word) !== undefined || NEGATIONS.has(word) || INTENSIFIERS.has(word);
}

/**
 * Lexicon-based sentiment with negation ("not good") and intensifiers
 * ("very good"). A negation or intensifier reaches only as far as its
 * sentence: in "We did not stop. Excellent work." nothing negates
 * "excellent". The description names the words that decided the score, so
 * a reader can judge it.
 */
export function analyseSentiment(text: string): SentimentResult {
  const runs = sentenceRuns(text.replace(NEUTRAL_IDIOMS, ' '));
  const tally: Tally = {
    sum: 0,
    positiveWeight: 0,
    negativeWeight: 0,
    positives: new Map(),
    negatives: new Map(),
  };
  for (const run of runs) scoreSentence(run, tally);
  const { sum, positiveWeight, negativeWeight, positives, negatives } = tally;
  const wordCount = runs.reduce((count, run) => count + run.length, 0);

  // One score for the whole text, in -1..1, and a label that follows it.
  const total = positiveWeight + negativeWeight;
  const balance = total === 0 ? 0 : sum / total;
  const score = Number((balance * (total / (total + HALF_CONFIDENCE_WEIGHT))).toFixed(4)) || 0;
  let label: SentimentLabel;
  if (total === 0) label = 'neutral';
  else if (Math.min(positiveWeight, negativeWeight) / total > MIXED_SHARE) label = 'mixed';
  else if (Math.abs(score) < NEUTRAL_BAND) label = 'neutral';
  else label = score > 0 ? 'positive' : 'negative';

  const counts = `${[...positives.values()].reduce((a, b) => a + b, 0)} positive and ${[...negatives.values()].reduce((a, b) => a + b, 0)} negative cue words`;
  let description: string;
  if (total === 0) {
    description = `Neutral: no sentiment-bearing words found in ${wordCount} words.`;
  } else {
    const detail = [
      positives.size > 0 ? `positive: ${listTerms(positives)}` : '',
      negatives.size > 0 ? `negative: ${listTerms(negatives)}` : '',
    ]
      .filter((part) => part.length > 0)
      .join('; ');
    const lead = {
      positive: 'Mostly positive',
      negative: 'Mostly negative',
      neutral: 'Neutral on balance',
      mixed: 'Mixed',
    }[label];
    description = `${lead} (${counts}; ${detail}).`;
  }
  return { score, label, description };
}
