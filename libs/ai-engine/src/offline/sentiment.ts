import { stem } from '../text/stem';
import { words } from '../text/tokenize';
import { INTENSIFIERS, NEGATIONS, SENTIMENT_LEXICON } from './sentiment-lexicon';

export type SentimentLabel = 'positive' | 'negative' | 'neutral' | 'mixed';

export interface SentimentResult {
  /** -1 (very negative) .. 1 (very positive). */
  readonly score: number;
  readonly label: SentimentLabel;
  readonly description: string;
}

const NEGATION_WINDOW = 3;
// VADER's normalisation constant: sum / sqrt(sum² + alpha) keeps long texts
// from saturating at ±1 after a handful of words.
const ALPHA = 15;
const NEUTRAL_BAND = 0.05;
// Boilerplate whose words look negated but mean nothing either way.
const NEUTRAL_IDIOMS = /\b(?:but\s+)?not\s+limited\s+to\b|\bwithout\s+limitation\b/gi;

function valence(word: string): number | undefined {
  return SENTIMENT_LEXICON.get(word) ?? SENTIMENT_LEXICON.get(stem(word));
}

function listTerms(terms: Map<string, number>): string {
  return [...terms.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 4)
    .map(([term]) => `"${term}"`)
    .join(', ');
}

/**
 * Lexicon-based sentiment with negation ("not good") and intensifiers
 * ("very good"). The description names the words that decided the score, so a
 * reader can judge it.
 */
export function analyseSentiment(text: string): SentimentResult {
  const tokens = words(text.replace(NEUTRAL_IDIOMS, ' '));
  let sum = 0;
  let positiveWeight = 0;
  let negativeWeight = 0;
  const positives = new Map<string, number>();
  const negatives = new Map<string, number>();
  let negatedUntil = -1;
  let intensity = 1;

  tokens.forEach((word, index) => {
    if (NEGATIONS.has(word)) {
      negatedUntil = index + NEGATION_WINDOW;
      return;
    }
    const boost = INTENSIFIERS.get(word);
    if (boost !== undefined) {
      intensity = boost;
      return;
    }
    const base = valence(word);
    if (base === undefined) {
      intensity = 1;
      return;
    }
    const negated = index <= negatedUntil;
    // A negated word flips but weakens: "not good" is milder than "bad".
    const signed = base * intensity * (negated ? -0.75 : 1);
    intensity = 1;
    sum += signed;
    const label = negated ? `not ${word}` : word;
    if (signed > 0) {
      positiveWeight += signed;
      positives.set(label, (positives.get(label) ?? 0) + 1);
    } else if (signed < 0) {
      negativeWeight -= signed;
      negatives.set(label, (negatives.get(label) ?? 0) + 1);
    }
  });

  const score = Number((sum / Math.sqrt(sum * sum + ALPHA)).toFixed(4)) || 0;
  const total = positiveWeight + negativeWeight;
  let label: SentimentLabel;
  if (total === 0 || Math.abs(score) < NEUTRAL_BAND) {
    label =
      total > 0 && Math.min(positiveWeight, negativeWeight) / total > 0.35 ? 'mixed' : 'neutral';
  } else {
    label = score > 0 ? 'positive' : 'negative';
  }

  const counts = `${[...positives.values()].reduce((a, b) => a + b, 0)} positive and ${[...negatives.values()].reduce((a, b) => a + b, 0)} negative cue words`;
  let description: string;
  if (total === 0) {
    description = `Neutral: no sentiment-bearing words found in ${tokens.length} words.`;
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
