import { contentTerms, indexedTerms } from '../text/tokenize';

const K1 = 1.2;
const B = 0.75;
const INITIAL_CAPACITY = 256;

export interface RankedRow {
  readonly chunkId: string;
  readonly documentId: string;
  readonly score: number;
}

interface Postings {
  rows: Int32Array;
  frequencies: Uint16Array;
  length: number;
}

/**
 * One owner's chunks held in memory so that a search reads only what can
 * change its answer, instead of every stored row:
 *
 * - vectors L2-normalised (cosine is then a dot product) and stored
 *   dimension-major, so a query touches only the columns of its non-zero
 *   components: the hashing embedder's queries have a few dozen of 384;
 * - an inverted index of the same stemmed terms BM25 uses elsewhere in the
 *   engine, so lexical scoring walks only the postings of the query's terms
 *   (FTS5 computed bm25() for every matching row, 30–50k at 50k chunks).
 *
 * Both are exact: results equal a full scan. Removing a document leaves
 * tombstones; the owner of this index rebuilds it when they dominate.
 */
export class OwnerSearchIndex {
  private capacity: number;
  private rows = 0;
  private liveRows = 0;
  private columns: Float32Array;
  private alive: Uint8Array;
  private hasVector: Uint8Array;
  private lengths: Uint32Array;
  private scores: Float32Array;
  private readonly chunkIds: string[] = [];
  private readonly documentIds: string[] = [];
  private readonly rowTerms: Int32Array[] = [];
  private readonly rowsByDocument = new Map<string, number[]>();
  private readonly termIds = new Map<string, number>();
  private readonly postings: Postings[] = [];
  private readonly documentFrequency: number[] = [];
  private totalLength = 0;

  /**
   * `capacity`: rows to allocate up front. An owner loaded from a file knows
   * how many it has; 256 rows for every small owner wasted ~140 KB each.
   */
  constructor(
    readonly dimensions: number,
    capacity = INITIAL_CAPACITY,
  ) {
    this.capacity = Math.max(1, Math.ceil(capacity));
    this.columns = new Float32Array(dimensions * this.capacity);
    this.alive = new Uint8Array(this.capacity);
    this.hasVector = new Uint8Array(this.capacity);
    this.lengths = new Uint32Array(this.capacity);
    this.scores = new Float32Array(this.capacity);
  }

  /** Rows this index holds memory for: live chunks, tombstones and room to grow. */
  get allocatedRows(): number {
    return this.capacity;
  }

  /** Chunks that can be found. */
  get size(): number {
    return this.liveRows;
  }

  /** Removed chunks still taking memory and scan time. */
  get tombstones(): number {
    return this.rows - this.liveRows;
  }

  add(chunkId: string, documentId: string, vector: Float32Array, text: string): void {
    if (this.rows === this.capacity) this.grow();
    const row = this.rows;
    this.rows += 1;
    this.liveRows += 1;
    this.chunkIds[row] = chunkId;
    this.documentIds[row] = documentId;
    this.alive[row] = 1;
    const rowsOfDocument = this.rowsByDocument.get(documentId);
    if (rowsOfDocument) rowsOfDocument.push(row);
    else this.rowsByDocument.set(documentId, [row]);

    let norm = 0;
    for (let d = 0; d < this.dimensions; d += 1) norm += (vector[d] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    // A zero vector has no direction: a full scan's cosine is undefined for it, so it is never a hit.
    this.hasVector[row] = norm > 0 ? 1 : 0;
    for (let d = 0; d < this.dimensions; d += 1) {
      this.columns[d * this.capacity + row] = norm > 0 ? (vector[d] ?? 0) / norm : 0;
    }

    const terms = indexedTerms(text);
    this.lengths[row] = terms.length;
    this.totalLength += terms.length;
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    const ids = new Int32Array(counts.size);
    let position = 0;
    for (const [term, count] of counts) {
      const id = this.termId(term);
      ids[position] = id;
      position += 1;
      this.documentFrequency[id] = (this.documentFrequency[id] ?? 0) + 1;
      const list = this.postings[id] as Postings;
      if (list.length === list.rows.length) {
        const rows = new Int32Array(list.rows.length * 2);
        rows.set(list.rows);
        const frequencies = new Uint16Array(list.rows.length * 2);
        frequencies.set(list.frequencies);
        list.rows = rows;
        list.frequencies = frequencies;
      }
      list.rows[list.length] = row;
      list.frequencies[list.length] = Math.min(count, 0xffff);
      list.length += 1;
    }
    this.rowTerms[row] = ids;
  }

  /** Tombstones the document's chunks; returns how many there were. */
  removeDocument(documentId: string): number {
    const rows = this.rowsByDocument.get(documentId);
    if (!rows) return 0;
    this.rowsByDocument.delete(documentId);
    for (const row of rows) {
      this.alive[row] = 0;
      this.liveRows -= 1;
      this.totalLength -= this.lengths[row] ?? 0;
      for (const id of this.rowTerms[row] ?? []) {
        this.documentFrequency[id] = (this.documentFrequency[id] ?? 1) - 1;
      }
    }
    return rows.length;
  }

  /**
   * The `k` chunks with the highest cosine similarity to `query`; only chunks
   * that point its way (similarity above 0). One at 0 or below shares nothing
   * with the query but a hash collision, and a zero vector has no direction.
   */
  searchVector(query: Float32Array, k: number, documents?: ReadonlySet<string>): RankedRow[] {
    let norm = 0;
    for (let d = 0; d < this.dimensions; d += 1) norm += (query[d] ?? 0) ** 2;
    if (norm === 0 || this.liveRows === 0) return [];
    norm = Math.sqrt(norm);
    const scores = this.resetScores();
    const rows = this.rows;
    for (let d = 0; d < this.dimensions; d += 1) {
      const weight = (query[d] ?? 0) / norm;
      if (weight === 0) continue;
      const column = this.columns.subarray(d * this.capacity, d * this.capacity + rows);
      for (let row = 0; row < rows; row += 1) {
        scores[row] = (scores[row] as number) + weight * (column[row] as number);
      }
    }
    return this.top(
      k,
      documents,
      (row) => this.hasVector[row] === 1 && (scores[row] as number) > 0,
    );
  }

  /** The `k` chunks with the highest Okapi BM25 score for `text`; only chunks that match. */
  searchLexical(text: string, k: number, documents?: ReadonlySet<string>): RankedRow[] {
    if (this.liveRows === 0) return [];
    const scores = this.resetScores();
    const averageLength = this.totalLength / this.liveRows || 1;
    let matched = false;
    for (const term of new Set(contentTerms(text))) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const df = this.documentFrequency[id] ?? 0;
      if (df === 0) continue;
      matched = true;
      const idf = Math.log(1 + (this.liveRows - df + 0.5) / (df + 0.5));
      const list = this.postings[id] as Postings;
      for (let position = 0; position < list.length; position += 1) {
        const row = list.rows[position] as number;
        if (this.alive[row] === 0) continue;
        const frequency = list.frequencies[position] as number;
        const length = this.lengths[row] as number;
        scores[row] =
          (scores[row] as number) +
          (idf * frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * length) / averageLength));
      }
    }
    if (!matched) return [];
    return this.top(k, documents, (row) => (scores[row] as number) > 0);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.postings.length;
      this.termIds.set(term, id);
      this.postings.push({ rows: new Int32Array(4), frequencies: new Uint16Array(4), length: 0 });
      this.documentFrequency.push(0);
    }
    return id;
  }

  private resetScores(): Float32Array {
    this.scores.fill(0, 0, this.rows);
    return this.scores;
  }

  /** Best first; equal scores by chunk id, as the SQL scans ordered them. */
  private top(
    k: number,
    documents: ReadonlySet<string> | undefined,
    eligible: (row: number) => boolean,
  ): RankedRow[] {
    const scores = this.scores;
    const best: number[] = [];
    const worse = (left: number, right: number) =>
      (scores[left] as number) < (scores[right] as number) ||
      (scores[left] === scores[right] &&
        (this.chunkIds[left] as string) > (this.chunkIds[right] as string));
    for (let row = 0; row < this.rows; row += 1) {
      if (this.alive[row] === 0 || !eligible(row)) continue;
      if (best.length === k && !worse(best[k - 1] as number, row)) continue;
      if (documents && !documents.has(this.documentIds[row] as string)) continue;
      let position = best.length === k ? k - 1 : best.length;
      while (position > 0 && worse(best[position - 1] as number, row)) {
        best[position] = best[position - 1] as number;
        position -= 1;
      }
      best[position] = row;
      if (best.length > k) best.length = k;
    }
    return best.map((row) => ({
      chunkId: this.chunkIds[row] as string,
      documentId: this.documentIds[row] as string,
      score: scores[row] as number,
    }));
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const columns = new Float32Array(this.dimensions * capacity);
    for (let d = 0; d < this.dimensions; d += 1) {
      columns.set(
        this.columns.subarray(d * this.capacity, d * this.capacity + this.rows),
        d * capacity,
      );
    }
    this.columns = columns;
    this.alive = grown(this.alive, capacity);
    this.hasVector = grown(this.hasVector, capacity);
    this.lengths = grown(this.lengths, capacity);
    this.scores = new Float32Array(capacity);
    this.capacity = capacity;
  }
}

function grown<T extends Uint8Array | Uint32Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}
