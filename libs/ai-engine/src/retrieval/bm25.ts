import { contentTerms, indexedTerms } from '../text/tokenize';

export interface Bm25Document<T> {
  readonly item: T;
  readonly text: string;
}

export interface Bm25Options {
  /** Collection size for IDF when the candidates are a filtered subset. */
  readonly totalDocuments?: number;
  readonly k1?: number;
  readonly b?: number;
}

/**
 * Okapi BM25 over candidate texts, with the same stemming as the rest of the
 * engine. Returns the candidates that match at least one query term, best
 * first, with their scores.
 */
export function rankBm25<T>(
  query: string,
  documents: readonly Bm25Document<T>[],
  options: Bm25Options = {},
) {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const queryTerms = [...new Set(contentTerms(query))];
  const analysed = documents.map((document) => {
    const counts = new Map<string, number>();
    const terms = indexedTerms(document.text);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { document, counts, length: terms.length };
  });
  const total = Math.max(options.totalDocuments ?? analysed.length, analysed.length, 1);
  const averageLength =
    analysed.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, analysed.length) || 1;
  const documentFrequency = new Map<string, number>();
  for (const term of queryTerms) {
    documentFrequency.set(term, analysed.filter((doc) => doc.counts.has(term)).length);
  }
  return analysed
    .map(({ document, counts, length }) => {
      let score = 0;
      for (const term of queryTerms) {
        const frequency = counts.get(term) ?? 0;
        if (frequency === 0) continue;
        const df = documentFrequency.get(term) ?? 0;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        score +=
          (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
      }
      return { item: document.item, score };
    })
    .filter((ranked) => ranked.score > 0)
    .sort((left, right) => right.score - left.score);
}
