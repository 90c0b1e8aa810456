import { splitSentences } from '../text/sentences';
import { stem } from '../text/stem';
import { isStopword } from '../text/stopwords';
import { words } from '../text/tokenize';
import { compareCodeUnits } from '../text/code-unit-order';

export interface KeyPhrase {
  readonly phrase: string;
  readonly score: number;
  readonly occurrences: number;
}

interface Candidate {
  stems: string[];
  surfaces: Map<string, number>;
  occurrences: number;
}

const MAX_PHRASE_WORDS = 3;
// Longer is a run of letters with no spaces (an encoded blob, a hash), not a
// word: a phrase of one such "word" was as long as the text itself.
const MAX_WORD_CHARACTERS = 64;
const LENGTH_BOOST = [0, 1, 1.6, 1.9];
// Punctuation ends a phrase: "source, object" are two candidates.
const PHRASE_BREAK = /[,;:()[\]{}"“”`'‘’.!?/\\|<>=+*#@&]+/u;

// Words that are frequent in any formal text and never a topic by themselves.
const FILLER = new Set(
  `including include includes included provided provide means mean use used using following made make
  hereby thereof therein herein whereof given based available particular described applicable specified
  certain various example otherwise respect regard`.split(/\s+/),
);

function isContentWord(word: string): boolean {
  return (
    word.length > 2 &&
    word.length <= MAX_WORD_CHARACTERS &&
    !isStopword(word) &&
    !FILLER.has(word) &&
    !/^\d/.test(word)
  );
}

/** Runs of content words between stopwords and punctuation (RAKE's candidates). */
function contentRuns(sentence: string): string[][] {
  const runs: string[][] = [];
  for (const fragment of sentence.split(PHRASE_BREAK)) {
    let run: string[] = [];
    for (const word of words(fragment)) {
      if (isContentWord(word)) {
        run.push(word);
      } else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length > 0) runs.push(run);
  }
  return runs;
}

function overlaps(left: readonly string[], right: readonly string[]): boolean {
  const [shorter, longer] = left.length <= right.length ? [left, right] : [right, left];
  const needle = shorter.join(' ');
  return ` ${longer.join(' ')} `.includes(` ${needle} `);
}

/**
 * Key phrases by a RAKE/TF-IDF blend: candidates are 1–3 word runs of content
 * words; a word weighs its (sublinear) frequency times its inverse sentence
 * frequency, a phrase its occurrences times the mean weight of its words,
 * with a boost for multi-word phrases. Overlapping phrases keep the best one.
 */
export function extractKeyPhrases(text: string, limit = 10): KeyPhrase[] {
  const sentences = splitSentences(text);
  const sentenceCount = Math.max(1, sentences.length);
  const wordFrequency = new Map<string, number>();
  const sentenceFrequency = new Map<string, number>();
  const candidates = new Map<string, Candidate>();

  for (const sentence of sentences) {
    const seen = new Set<string>();
    for (const run of contentRuns(sentence.text)) {
      const stems = run.map(stem);
      for (const term of stems) {
        wordFrequency.set(term, (wordFrequency.get(term) ?? 0) + 1);
        seen.add(term);
      }
      for (let size = 1; size <= Math.min(MAX_PHRASE_WORDS, run.length); size += 1) {
        for (let from = 0; from + size <= run.length; from += 1) {
          const key = stems.slice(from, from + size).join(' ');
          const surface = run.slice(from, from + size).join(' ');
          const candidate = candidates.get(key) ?? {
            stems: stems.slice(from, from + size),
            surfaces: new Map(),
            occurrences: 0,
          };
          candidate.occurrences += 1;
          candidate.surfaces.set(surface, (candidate.surfaces.get(surface) ?? 0) + 1);
          candidates.set(key, candidate);
        }
      }
    }
    for (const term of seen) sentenceFrequency.set(term, (sentenceFrequency.get(term) ?? 0) + 1);
  }

  const wordWeight = (term: string) =>
    (1 + Math.log(wordFrequency.get(term) ?? 1)) *
    Math.log(1 + sentenceCount / (sentenceFrequency.get(term) ?? 1));
  // In a long text a phrase seen once is noise; in a short one it may be all there is.
  const minimumOccurrences = sentenceCount >= 12 ? 2 : 1;

  const scored = [...candidates.values()]
    .filter(
      (candidate) => candidate.stems.length === 1 || candidate.occurrences >= minimumOccurrences,
    )
    .map((candidate) => {
      const meanWeight =
        candidate.stems.reduce((sum, term) => sum + wordWeight(term), 0) / candidate.stems.length;
      const score =
        candidate.occurrences * meanWeight * (LENGTH_BOOST[candidate.stems.length] ?? 1);
      const phrase =
        [...candidate.surfaces.entries()].sort(
          (a, b) => b[1] - a[1] || compareCodeUnits(a[0], b[0]),
        )[0]?.[0] ?? '';
      return { candidate, phrase, score };
    })
    .sort((left, right) => right.score - left.score || compareCodeUnits(left.phrase, right.phrase));

  const chosen: Array<{ stems: string[]; phrase: KeyPhrase }> = [];
  for (const { candidate, phrase, score } of scored) {
    if (chosen.length >= limit) break;
    if (chosen.some((picked) => overlaps(picked.stems, candidate.stems))) continue;
    chosen.push({
      stems: candidate.stems,
      phrase: { phrase, score: Number(score.toFixed(4)), occurrences: candidate.occurrences },
    });
  }
  const top = chosen[0]?.phrase.score ?? 1;
  return chosen.map(({ phrase }) => ({
    ...phrase,
    score: Number((phrase.score / top).toFixed(4)),
  }));
}
