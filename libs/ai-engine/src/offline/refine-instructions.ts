import { contentTerms, words } from '../text/tokenize';

/** One thing the offline engine can do to a summary by re-selecting sentences. */
export type RefineStep =
  | { readonly kind: 'shorter' }
  | { readonly kind: 'longer' }
  | { readonly kind: 'sentences'; readonly count: number }
  | {
      readonly kind: 'focus';
      /** The topic as the user wrote it, for the notes. */
      readonly topic: string;
      /** Each content word of the topic with its stemmed term. */
      readonly terms: ReadonlyArray<{ readonly word: string; readonly term: string }>;
    };

export type ParsedInstructions =
  | { readonly ok: true; readonly steps: readonly RefineStep[] }
  | { readonly ok: false; readonly clause: string };

// Clauses are joined by punctuation or by "and"/"then"; a clause that the
// grammar below does not match in full is refused, never partly applied.
// Captured, so that a topic listing several things can be put back together.
const CLAUSE_SEPARATOR = /([,;]|[.!?]+(?=\s|$)|\b(?:and|then)\b)/i;

// What may join the parts of one focus topic: "focus on terms and
// conditions", "emphasise patents, trademarks and warranties".
const TOPIC_LIST_SEPARATOR = /^(?:,|and)$/i;

const OBJECT = String.raw`(?:it|this|the summary|this summary)`;
const DEGREE = String.raw`(?:(?:a bit|a little|a lot|slightly|somewhat|much|even)\s+)?`;
const SHORT = String.raw`(?:shorter|briefer|more concise|more brief|more succinct|less detailed|less wordy|less verbose)`;
const LONG = String.raw`(?:longer|fuller|more detailed|more complete)`;
const anchored = (source: string) => new RegExp(`^(?:${source})$`, 'i');

const SHORTER = [
  `${DEGREE}${SHORT}`,
  `(?:concise|brief|succinct)`,
  `make ${OBJECT} ${DEGREE}${SHORT}`,
  `be ${DEGREE}(?:more concise|more brief|more succinct|briefer)`,
  `(?:shorten|condense|abridge)(?: ${OBJECT})?`,
  `(?:cut|trim) ${OBJECT} down`,
  `(?:(?:with|use|give)\\s+)?(?:less detail|fewer details|fewer sentences)`,
].map(anchored);

const LONGER = [
  `${DEGREE}${LONG}`,
  `make ${OBJECT} ${DEGREE}${LONG}`,
  `be more detailed`,
  `(?:lengthen|expand|extend)(?: (?:on )?${OBJECT})?`,
  `(?:(?:with|add|give|use|include|provide|go into)\\s+)?(?:more|further|additional) (?:detail|details|sentences)`,
  `(?:add|give|include|provide) (?:detail|details)`,
].map(anchored);

const FOCUS = [
  `(?:focus|concentrate|centre|center)(?: ${OBJECT})? on (.+)`,
  `(?:emphasi[sz]e|stress|highlight) (.+)`,
  `more about (.+)`,
].map(anchored);

const NUMBER_WORDS = [
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
];
const SENTENCE_COUNT = anchored(
  String.raw`(?:(?:in|use|make ${OBJECT})\s+)?(\d{1,2}|${NUMBER_WORDS.join('|')}) sentences?(?: long)?`,
);

// Words a topic may carry besides content words ("the rights of users").
// Anything else, negations above all, makes the topic something other than a
// set of terms to look for, so the clause is refused.
const TOPIC_CONNECTORS = new Set(['the', 'a', 'an', 'of', 'and']);
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'without',
  'except',
  'excluding',
  'non',
  'nothing',
  'neither',
  'nor',
  'but',
  "don't",
  "doesn't",
]);

function normaliseClause(clause: string): string {
  return clause
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^please\b\s*/i, '')
    .replace(/\s*\bplease$/i, '')
    .trim();
}

function focusStep(topic: string): RefineStep | undefined {
  const terms: Array<{ word: string; term: string }> = [];
  for (const word of words(topic)) {
    if (TOPIC_CONNECTORS.has(word)) continue;
    const term = contentTerms(word)[0];
    if (NEGATIONS.has(word) || term === undefined) return undefined;
    if (!terms.some((known) => known.term === term)) terms.push({ word, term });
  }
  return terms.length > 0 ? { kind: 'focus', topic, terms } : undefined;
}

function sentenceCount(token: string): number {
  const spelled = NUMBER_WORDS.indexOf(token.toLowerCase());
  return spelled >= 0 ? spelled + 1 : Number(token);
}

function parseClause(clause: string): RefineStep | undefined {
  if (SHORTER.some((pattern) => pattern.test(clause))) return { kind: 'shorter' };
  if (LONGER.some((pattern) => pattern.test(clause))) return { kind: 'longer' };
  const count = SENTENCE_COUNT.exec(clause)?.[1];
  if (count !== undefined) {
    const value = sentenceCount(count);
    return value > 0 ? { kind: 'sentences', count: value } : undefined;
  }
  for (const pattern of FOCUS) {
    const topic = pattern.exec(clause)?.[1];
    if (topic !== undefined) return focusStep(topic.trim());
  }
  return undefined;
}

/**
 * Reads refine instructions with a small, explicit grammar: shorter, longer,
 * "in N sentences" and "focus on X". The first clause outside the grammar is
 * returned instead, because applying the rest would claim a refinement the
 * engine did not make.
 */
export function parseRefineInstructions(instructions: string): ParsedInstructions {
  const steps: RefineStep[] = [];
  // split() with a capturing separator alternates clause, separator, clause.
  const parts = instructions.split(CLAUSE_SEPARATOR);
  for (let index = 0; index < parts.length; index += 2) {
    const clause = normaliseClause(parts[index] ?? '');
    if (clause.length === 0) continue;
    const step = parseClause(clause) ?? continuedTopic(steps, parts[index - 1], clause);
    if (step === undefined) return { ok: false, clause };
    steps.push(step);
  }
  return { ok: true, steps };
}

/**
 * A clause that is not an instruction of its own but the next item of the
 * focus topic before it ("focus on terms and conditions"): that focus step,
 * replaced by one over the whole topic. The joined topic goes through the
 * same checks, so "focus on privacy and not tracking" is still refused.
 */
function continuedTopic(
  steps: RefineStep[],
  separator: string | undefined,
  clause: string,
): RefineStep | undefined {
  const previous = steps.at(-1);
  if (previous?.kind !== 'focus' || !TOPIC_LIST_SEPARATOR.test(separator?.trim() ?? '')) {
    return undefined;
  }
  const joiner = separator?.trim() === ',' ? ', ' : ` ${separator?.trim()} `;
  const step = focusStep(`${previous.topic}${joiner}${clause}`);
  if (step !== undefined) steps.pop();
  return step;
}
