// Deterministic ~30 KB documents for the retrieval benchmarks: sentences of
// the shared corpus (real prose, real sentence lengths), a share of their
// words swapped for pseudo-words drawn from a Zipf-distributed vocabulary so
// that documents differ and term frequencies look like a real collection's,
// and a distinct subject per document that queries can look for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './bench-support.mjs';

const CORPUS = ['apache-2.0.txt', 'mpl-2.0.txt', 'bsd.txt'];
const VOCABULARY_SIZE = 20000;
const SWAP_SHARE = 0.25;
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ner',
  'tas',
  'vu',
  'ro',
  'gen',
  'phi',
  'dar',
  'sel',
  'quo',
  'bri',
  'ten',
  'zu',
  'mor',
];

/** mulberry32: small, fast, seedable; the same seed gives the same documents on every machine. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pseudoWord(index) {
  let word = '';
  let rest = index + 1;
  while (rest > 0) {
    word += SYLLABLES[rest % SYLLABLES.length];
    rest = Math.floor(rest / SYLLABLES.length);
  }
  return word;
}

const sentences = CORPUS.flatMap((file) =>
  readFileSync(join(root, '..', 'shared', 'corpus', file), 'utf8')
    .replace(/\s+/g, ' ')
    .split(/(?<=[.;:])\s+(?=[A-Z("])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length >= 40 && sentence.length <= 600),
);
const vocabulary = Array.from({ length: VOCABULARY_SIZE }, (_unused, index) => pseudoWord(index));
// Zipf (s = 1) by inverse CDF over the harmonic numbers.
const harmonic = [];
let total = 0;
for (let rank = 1; rank <= VOCABULARY_SIZE; rank += 1) {
  total += 1 / rank;
  harmonic.push(total);
}
function zipfWord(random) {
  const target = random() * total;
  let low = 0;
  let high = harmonic.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (harmonic[middle] < target) low = middle + 1;
    else high = middle;
  }
  return vocabulary[low];
}

/** The subject terms of document `index`: rare pseudo-words, unique to it. */
export function subjectOf(index) {
  return `${pseudoWord(VOCABULARY_SIZE + index * 2)} ${pseudoWord(VOCABULARY_SIZE + index * 2 + 1)}`;
}

/** Document `index` of the synthetic collection, about `bytes` long, in paragraphs. */
export function syntheticDocument(index, bytes = 30 * 1024) {
  const random = seededRandom(index + 1);
  const subject = subjectOf(index);
  const paragraphs = [];
  let length = 0;
  while (length < bytes) {
    const paragraph = [];
    const count = 3 + Math.floor(random() * 5);
    for (let n = 0; n < count; n += 1) {
      const sentence = sentences[Math.floor(random() * sentences.length)]
        .split(' ')
        .map((word) => (random() < SWAP_SHARE ? zipfWord(random) : word))
        .join(' ');
      paragraph.push(random() < 0.08 ? `${sentence} This concerns the ${subject}.` : sentence);
    }
    const text = paragraph.join(' ');
    paragraphs.push(text);
    length += text.length + 2;
  }
  return {
    documentId: `doc-${index}`,
    title: `Synthetic document ${index} on ${subject}`,
    text: paragraphs.join('\n\n'),
  };
}

/** Search queries: a document's subject, a corpus phrase, or a mix of both. */
export function syntheticQueries(count, documents, seed = 7) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_unused, n) => {
    const subject = subjectOf(Math.floor(random() * documents));
    const words = sentences[Math.floor(random() * sentences.length)].split(' ');
    const start = Math.floor(random() * Math.max(1, words.length - 6));
    const phrase = words.slice(start, start + 6).join(' ');
    return n % 3 === 0 ? subject : n % 3 === 1 ? phrase : `${phrase} ${subject}`;
  });
}
