import type { AnswerOutput, AnswerRequest } from '../tasks/task-types';
import { splitSentences } from '../text/sentences';
import { contentTerms } from '../text/tokenize';
import { clip } from './sentence-selection';

interface ScoredSentence {
  readonly passage: number;
  readonly text: string;
  readonly score: number;
  readonly coverage: number;
  /** The question's terms the sentence holds. */
  readonly matched: readonly string[];
}

const MAX_ANSWER_SENTENCES = 3;
const SECOND_SENTENCE_RATIO = 0.6;
const WEAK_COVERAGE = 0.34;
/**
 * A word in at least this share of the passages' sentences is common there.
 * A best sentence that shares only such a word with a question the passages
 * lack other words of does not answer it: "How does photosynthesis work?"
 * over licences, whose "Work" is a defined term, was answered with its
 * definition, and cited (exploratory test). On the corpus questions (tests)
 * the best sentence shares three words or more; on such questions one word,
 * in 38 % to 80 % of the sentences.
 */
const COMMON_IN_PASSAGES = 0.3;

export const NO_ANSWER = 'None of the indexed passages answers this question.';

/**
 * Extractive question answering: every sentence of the passages is scored by
 * the inverse-document-frequency mass of the question terms it contains, with
 * a bonus for question bigrams kept in order and a mild penalty for length;
 * the best sentences form the answer and their passages are cited.
 */
export function answerFromContext(request: AnswerRequest): AnswerOutput {
  const questionTerms = [...new Set(contentTerms(request.question))];
  const sentences = request.passages.flatMap((passage, index) =>
    splitSentences(passage.text)
      .filter((sentence) => !sentence.isHeading)
      .map((sentence) => ({
        passage: index,
        text: sentence.text,
        terms: contentTerms(sentence.text),
      })),
  );
  if (questionTerms.length === 0 || sentences.length === 0)
    return { answer: NO_ANSWER, citedPassages: [] };

  const documentFrequency = new Map<string, number>();
  for (const sentence of sentences) {
    for (const term of new Set(sentence.terms))
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const idf = (term: string) =>
    Math.log(1 + sentences.length / (documentFrequency.get(term) ?? sentences.length));
  const isCommon = (term: string) =>
    (documentFrequency.get(term) ?? 0) >= COMMON_IN_PASSAGES * sentences.length;
  const lacksSome = questionTerms.some((term) => !documentFrequency.has(term));
  const questionMass = questionTerms.reduce((sum, term) => sum + idf(term), 0) || 1;
  const questionBigrams = new Set(
    questionTerms.slice(1).map((term, index) => `${questionTerms[index]} ${term}`),
  );

  const scored: ScoredSentence[] = sentences.map(({ passage, text, terms }) => {
    const present = new Set(terms);
    const matched = questionTerms.filter((term) => present.has(term));
    const mass = matched.reduce((sum, term) => sum + idf(term), 0);
    const bigrams = terms
      .slice(1)
      .filter((term, index) => questionBigrams.has(`${terms[index]} ${term}`)).length;
    const lengthPenalty = 1 + Math.max(0, terms.length - 30) / 60;
    // Earlier passages ranked higher in retrieval; that is weak evidence too.
    const retrievalPrior = 1 + 0.05 / (passage + 1);
    return {
      passage,
      text,
      matched,
      coverage: mass / questionMass,
      score: ((mass + 0.5 * bigrams) / lengthPenalty) * retrievalPrior,
    };
  });
  const ranked = scored
    .filter((sentence) => sentence.score > 0)
    .sort((a, b) => b.score - a.score || a.passage - b.passage);
  const best = ranked[0];
  const sharesOnlyACommonWord =
    best !== undefined && lacksSome && best.matched.length === 1 && best.matched.every(isCommon);
  if (!best || sharesOnlyACommonWord) return { answer: NO_ANSWER, citedPassages: [] };

  const chosen = [best];
  for (const candidate of ranked.slice(1)) {
    if (
      chosen.length >= MAX_ANSWER_SENTENCES ||
      candidate.score < best.score * SECOND_SENTENCE_RATIO
    )
      break;
    if (!chosen.some((picked) => picked.text === candidate.text)) chosen.push(candidate);
  }
  const cited: number[] = [];
  const support: number[] = [];
  const quotes: string[] = [];
  for (const sentence of chosen) {
    // A second sentence from a passage already cited joins its quote: the
    // citation's snippet shows the answer's sentences from that passage, in
    // the answer's order, as far as the snippet's length allows.
    const position = cited.indexOf(sentence.passage);
    if (position !== -1) {
      quotes[position] = `${quotes[position]} ${sentence.text}`;
      continue;
    }
    cited.push(sentence.passage);
    support.push(Number((sentence.score / best.score).toFixed(4)));
    quotes.push(sentence.text);
  }
  const body = chosen.map((sentence) => clip(sentence.text, 600)).join(' ');
  const answer =
    best.coverage < WEAK_COVERAGE
      ? `The passages do not answer this directly; the closest statement is: ${body}`
      : body;
  return { answer, citedPassages: cited, support, quotes };
}
