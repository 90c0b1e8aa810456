import type { ChromaClient, Collection, Metadata, Where, WhereDocument } from 'chromadb';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Dispatcher } from 'undici';
import { EmbeddingMismatchError, VectorWriteRejectedError } from '../errors';
import type { CircuitStatus } from '../providers/circuit-status';
import {
  CHROMA_OPTIONAL_VOWEL_MARK_CLASS,
  TAKES_OPTIONAL_VOWEL_MARKS,
} from '@docuthinker/contracts';
import { compareCodeUnits } from '../text/code-unit-order';
import { contentTerms, isCjkTerm } from '../text/tokenize';
import { rankBm25 } from './bm25';
import {
  CHROMA_BREAKER_THRESHOLD,
  CHROMA_HALF_OPEN_AFTER_MS,
  ChromaCircuit,
} from './chroma-circuit';
import { chromaDispatcher, chromaTimeouts, throughDispatcher } from './chroma-http';
import { chunkIdFor } from './chunker';
import {
  compatibilityClass,
  prepareCompatibilitySpellings,
  severalCharacterSpellings,
} from './compatibility-spellings';
import { isZeroVector } from './hashing-embedder';
import { describeTransportFailure, isTransportFailure } from './transport-failure';
import {
  assertOwner,
  type ChunkHit,
  type ChunkQuery,
  type IndexedChunk,
  type ReplaceResult,
  type VectorIndex,
} from './vector-index';

export interface ChromaVectorIndexOptions {
  /**
   * e.g. `http://127.0.0.1:8000`, scheme, host and port only: the client
   * calls /api/v2/… at the root. A user name and password in it are sent as
   * HTTP Basic credentials (see basicAuthorization); other credentials go in
   * `headers`.
   */
  readonly url: string;
  readonly embedding: { readonly model: string; readonly dimensions: number };
  /** Collection name prefix; the embedding model and dimension are appended. */
  readonly collectionPrefix?: string;
  readonly headers?: Record<string, string>;
  /** Records per read when an exact search stands in for a short HNSW answer (see queryVector). */
  readonly exactSearchPage?: number;
  /**
   * The most records a search's scope may hold for an exact search to stand
   * in for an HNSW answer with fewer than k hits that point the query's way,
   * by default EXACT_SEARCH_LIMIT (see needsExactSearch).
   */
  readonly exactSearchLimit?: number;
  /** Records listed and deleted per call when an owner is erased (see removeOwner). */
  readonly ownerErasePage?: number;
  /**
   * Every HTTP call to Chroma (start-up, readiness, reads, writes): how long
   * connecting may take, and how long one call may take from start to the
   * last byte of its answer, by default CHROMA_CONNECT_TIMEOUT_MS and
   * CHROMA_REQUEST_TIMEOUT_MS (see chroma-http.ts for why). A call past
   * either fails with ChromaConnectionError, as for a Chroma that is down.
   */
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * Chroma's circuit breaker (see chroma-circuit.ts): the consecutive
   * outages that open it, by default CHROMA_BREAKER_THRESHOLD, and how long
   * it stays open before one call tests Chroma, by default
   * CHROMA_HALF_OPEN_AFTER_MS.
   */
  readonly breakerThreshold?: number;
  readonly halfOpenAfterMs?: number;
}

/**
 * The user info of a Chroma URL (`http://user:pw@chroma:8000`, for a Chroma
 * behind a proxy that asks for Basic credentials) as an Authorization
 * header. The client takes only host, port and headers from its arguments:
 * given the URL alone, it dropped the credentials and every call went
 * unauthenticated.
 */
function basicAuthorization(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

interface ChunkMetadata extends Metadata {
  ownerId: string;
  documentId: string;
  chunkId: string;
  ordinal: number;
  // And `title`, the title the chunk was embedded with: absent in records
  // written before titles were kept (an optional field cannot be declared
  // next to Metadata's index signature).
}

/** The client's error types, so callers see the same errors as from the client. */
type ChromaErrors = Pick<typeof import('chromadb'), 'ChromaConnectionError' | 'ChromaServerError'>;

/** Where and how `add`/`upsert` requests go when the server takes base64 embeddings. */
interface RecordWriter {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/**
 * How the client's own error for a failed connection begins: it names no
 * address and gives advice for browsers (CHROMA_SERVER_CORS_ALLOW_ORIGINS),
 * which reached /ready (found in an exploratory test), so it is said again
 * with the address Chroma was asked at.
 */
const CLIENT_NO_CONNECTION = 'Failed to connect to chromadb';

/**
 * A failed exchange with Chroma (no connection, a connection cut, a timeout
 * or deadline; see isTransportFailure) as the client's ChromaConnectionError,
 * which routes answer as a store outage (503) and the engine's start-up
 * retries. The client itself says so only when fetch fails before the
 * headers; a body that stops or trickles past the deadline fails later, while
 * the client reads it, with fetch's own TypeError. Anything else is left as
 * it is: the client's own errors, an answer refused, a bug.
 */
function asOutage(error: unknown, errors: ChromaErrors, origin: string): unknown {
  if (
    error instanceof errors.ChromaConnectionError &&
    error.message.startsWith(CLIENT_NO_CONNECTION)
  )
    return new errors.ChromaConnectionError(
      `Chroma at ${origin} could not be reached (no connection, or none within its timeout)`,
      error,
    );
  if (error instanceof Error && error.name.startsWith('Chroma')) return error;
  if (!isTransportFailure(error)) return error;
  return new errors.ChromaConnectionError(
    `Chroma could not be reached or did not answer in time: ${describeTransportFailure(error)}`,
    error,
  );
}

const WRITE_BATCH = 256;
/** Records per read in the exact nearest-neighbour search: a page's vectors at a time in memory. */
const EXACT_SEARCH_PAGE = 500;
/**
 * The most records of a search's scope that are searched exactly when HNSW
 * answers with fewer than k hits that point the query's way (see
 * queryVector). That is a usual answer (a query whose words few chunks
 * hold), so the exact search is bounded: 2,000 records are four pages, which
 * took ~0.2-0.4 s here, about what one filtered HNSW query costs an owner of
 * 50,000 chunks (p95 ~370 ms); a larger scope keeps HNSW's answer. The
 * repeated-chunk case it exists for (an owner's one distinct chunk among
 * 1,200 identical ones, see needsExactSearch) fits.
 */
const EXACT_SEARCH_LIMIT = 2_000;
/**
 * Records per call when an owner is erased. One delete by the owner's filter
 * took 11 s for 50,000 records here, growing faster than the count, so a
 * large account outran a call's deadline (CHROMA_REQUEST_TIMEOUT_MS) and its
 * erasure failed; 5,000 ids a call stay far inside it.
 */
const OWNER_ERASE_PAGE = 5_000;
/** Lexical candidates fetched per query before BM25 ranks them in process. */
const LEXICAL_CANDIDATES = 2000;
/**
 * Query terms the candidate prefilter looks for, at most. Chroma turns each
 * into an SQL expression under one `$or`, and SQLite refuses an expression
 * tree deeper than 1000 (chromadb 3.5 failed from about 990 terms, with a 500
 * that read as an outage); each term also costs the server a regex pass over
 * the owner's chunks (~70 ms per term over 5,000 chunks of 120 words here:
 * 16 terms 1.1 s, 64 terms 4.4 s). 16 keeps a usual question whole, and the
 * 16 longest terms of a long query (a pasted chat message has thousands)
 * already fill the 2,000 candidates on such an owner.
 */
const MAX_PREFILTER_TERMS = 16;
/**
 * How long an owner's chunk count (BM25's corpus size) is reused. Chroma
 * counts a filtered set only by listing its ids; the count's only use is
 * inverse document frequency, which a write on another replica moves little.
 */
const OWNER_COUNT_TTL_MS = 30_000;
/** Document scopes of one owner whose size against EXACT_SEARCH_LIMIT is remembered. */
const MAX_SCOPES_PER_OWNER = 100;

/** One collection per embedding model: vectors of different models never mix. */
export function chromaCollectionName(prefix: string, model: string, dimensions: number): string {
  const slug = `${prefix}-${model}-${dimensions}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return slug.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 200);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The ways a character of a term can be written in the stored text: the
 * terms come from NFKC-folded, lower-cased text with "İ" and "ı" read as "i"
 * (see `words`), the regex runs on the text as stored. `(?i)` covers case
 * only, not these: a decomposed (NFD) spelling, the compatibility forms that
 * fold to the character ("Ｆ", "①", see compatibility-spellings.ts), and
 * `several`, the class of those that fold to it and the characters after it
 * ("ﬁ"), with "i"'s combining dot above.
 */
function surfaceCharacter(character: string, several?: string): string {
  const decomposed = character.normalize('NFD');
  const forms = [character === "'" ? "['’]" : escapeRegex(character)];
  if (decomposed !== character) forms.push(escapeRegex(decomposed));
  const compatible = compatibilityClass(character);
  if (compatible) forms.push(compatible);
  if (several) forms.push(several);
  const written = forms.length === 1 ? (forms[0] as string) : `(?:${forms.join('|')})`;
  if (character === 'i') return `${written}\\x{307}?`;
  // The tokenizer drops these optional vowel marks; the stored text keeps them.
  return TAKES_OPTIONAL_VOWEL_MARKS.test(character)
    ? `${written}${CHROMA_OPTIONAL_VOWEL_MARK_CLASS}*`
    : written;
}

/**
 * What stored text may hold between two characters of a term: the tokenizer
 * reads a word without its in-word ignorables (libs/contracts: soft
 * hyphens, joiners) and, for Latin and Greek letters, without their accents,
 * which text written decomposed holds as combining marks; the stored text
 * keeps both.
 */
const IN_WORD_IGNORABLE_RUN = '[\\x{ad}\\x{200c}\\x{200d}\\x{2060}\\x{feff}\\x{300}-\\x{36f}]*';

/**
 * A term's characters as stored text may spell them. A character a ligature
 * before it may stand for is optional (see severalCharacterSpellings).
 */
function surfaceText(text: string): string {
  const characters = Array.from(text);
  const { standsFor, optional } = severalCharacterSpellings(characters);
  return characters
    .map((character, index) => {
      const written = surfaceCharacter(character, standsFor[index]);
      return optional[index] ? `(?:${written})?` : written;
    })
    .join(IN_WORD_IGNORABLE_RUN);
}

/**
 * A pattern every surface form of a stem starts with, for Chroma's regex
 * prefilter on the raw text. The stemmer only ever cuts a word short, except
 * that it turns "-ies" into "-y": "companies" and "company" both stem to
 * "company", which "companies" does not start with.
 */
export function surfacePrefixPattern(term: string): string {
  return term.endsWith('y') && term.length > 2
    ? `${surfaceText(term.slice(0, -1))}${IN_WORD_IGNORABLE_RUN}(?:y|${surfaceCharacter('i')}${IN_WORD_IGNORABLE_RUN}e)`
    : surfaceText(term);
}

/**
 * Where a word starts as the tokenizer reads words (runs of letters and
 * digits, see `contentTerms`): at the start of the text or after any other
 * character. `\b` would not do: Chroma's regex counts "_" as a word
 * character, so "tokens" in "max_tokens" has no `\b` before it. Chroma's
 * (Rust) regex has no lookbehind, so the character before is matched too,
 * which a filter does not mind.
 */
const WORD_START = '(?:^|[^\\p{L}\\p{N}])';

/**
 * The `$regex` that finds the chunks holding a term. A CJK bigram has no word
 * boundary before it inside a run of CJK text ("首都東京"), so it is matched
 * anywhere.
 */
function termCondition(term: string): WhereDocument {
  const boundary = isCjkTerm(term) ? '' : WORD_START;
  return { $regex: `(?i)${boundary}${surfacePrefixPattern(term)}` };
}

/**
 * The terms the prefilter looks for: all of them up to MAX_PREFILTER_TERMS,
 * else the longest, first come first on a tie. Chroma keeps no term
 * statistics to pick the rarest by; a longer word is usually a rarer one, and
 * BM25's ranking rests on the rare terms. The ranking itself uses every term.
 */
export function prefilterTerms(text: string): string[] {
  const terms = [...new Set(contentTerms(text))];
  if (terms.length <= MAX_PREFILTER_TERMS) return terms;
  return terms
    .map((term) => ({ term, length: Array.from(term).length }))
    .sort((left, right) => right.length - left.length)
    .slice(0, MAX_PREFILTER_TERMS)
    .map(({ term }) => term);
}

/**
 * The Chroma server adapter. Embeddings are always computed by the gateway and
 * passed explicitly (the collection has no embedding function), and every
 * record carries `ownerId`/`documentId` metadata that every read filters on.
 * Lexical search asks Chroma for the owner's chunks that contain a query stem
 * (case-insensitive `$regex` on the document) and ranks them with BM25 here.
 */
export class ChromaVectorIndex implements VectorIndex {
  readonly kind = 'chroma' as const;
  private readonly ownerChunkCounts = new LRUCache<string, number>({
    max: 10_000,
    ttl: OWNER_COUNT_TTL_MS,
  });
  /**
   * Per owner, per document scope: whether the scope holds more records than
   * exactSearchLimit. A bounded read answers it, but on a large owner that
   * read costs as much as the query itself (the owner filter), so it is
   * reused like the chunk count and forgotten on the owner's writes.
   */
  private readonly scopesPastExactLimit = new LRUCache<string, Map<string, boolean>>({
    max: 10_000,
    ttl: OWNER_COUNT_TTL_MS,
  });
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly collection: Collection,
    private readonly client: ChromaClient,
    private readonly dimensions: number,
    private readonly writer: RecordWriter | undefined,
    private readonly exactSearchPage: number,
    private readonly exactSearchLimit: number,
    private readonly ownerErasePage: number,
    private readonly dispatcher: Dispatcher,
    private readonly errors: ChromaErrors,
    private readonly breaker: ChromaCircuit,
    /** Scheme, host and port, without credentials: where errors say Chroma was asked. */
    private readonly origin: string,
  ) {}

  static async connect(connectOptions: ChromaVectorIndexOptions): Promise<ChromaVectorIndex> {
    prepareCompatibilitySpellings();
    const url = new URL(connectOptions.url);
    const options = {
      ...connectOptions,
      headers: { ...basicAuthorization(url), ...connectOptions.headers },
    };
    // The client loads on connect: embedded deployments never pay for it at start-up.
    const chromadb = await import('chromadb');
    const { ChromaClient } = chromadb;
    // Every call of the client goes through this pool: it bounds each one
    // (see chroma-http.ts).
    const dispatcher = chromaDispatcher(options);
    const client = new ChromaClient({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      ssl: url.protocol === 'https:',
      headers: options.headers,
      fetchOptions: throughDispatcher({}, dispatcher),
    });
    try {
      return await ChromaVectorIndex.open(options, url, chromadb, client, dispatcher);
    } catch (error) {
      // A failed start is retried by the caller with a new pool: this one goes.
      await dispatcher.destroy();
      throw asOutage(error, chromadb, url.origin);
    }
  }

  private static async open(
    options: ChromaVectorIndexOptions,
    url: URL,
    chromadb: typeof import('chromadb'),
    client: ChromaClient,
    dispatcher: Dispatcher,
  ): Promise<ChromaVectorIndex> {
    const { model, dimensions } = options.embedding;
    const name = chromaCollectionName(
      options.collectionPrefix ?? 'docuthinker-chunks',
      model,
      dimensions,
    );
    const collection = await client.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { embeddingModel: model, dimensions },
    });
    const recorded = collection.metadata ?? {};
    if (recorded['embeddingModel'] !== model || Number(recorded['dimensions']) !== dimensions) {
      throw new EmbeddingMismatchError(
        `Chroma collection ${name}`,
        {
          model: String(recorded['embeddingModel'] ?? 'unknown'),
          dimensions: Number(recorded['dimensions'] ?? 0),
        },
        { model, dimensions },
      );
    }
    const writer = (await client.supportsBase64Encoding())
      ? {
          url: `${url.protocol}//${url.host}/api/v2/tenants/${encodeURIComponent(collection.tenant)}/databases/${encodeURIComponent(collection.database)}/collections/${encodeURIComponent(collection.id)}`,
          headers: { 'content-type': 'application/json', ...options.headers },
        }
      : undefined;
    // An outage counts against Chroma once its call waited half the shorter
    // timeout: a Chroma that does not answer costs at least that timeout, a
    // refused or reset connection a few milliseconds (see ChromaCircuit).
    const { connectTimeoutMs, requestTimeoutMs } = chromaTimeouts(options);
    const breaker = new ChromaCircuit(
      {
        threshold: Math.max(1, Math.trunc(options.breakerThreshold ?? CHROMA_BREAKER_THRESHOLD)),
        halfOpenAfterMs: Math.max(1, options.halfOpenAfterMs ?? CHROMA_HALF_OPEN_AFTER_MS),
        countsAfterMs: Math.min(connectTimeoutMs, requestTimeoutMs) / 2,
      },
      (message) => new chromadb.ChromaConnectionError(message),
    );
    return new ChromaVectorIndex(
      collection,
      client,
      dimensions,
      writer,
      Math.max(1, Math.trunc(options.exactSearchPage ?? EXACT_SEARCH_PAGE)),
      Math.max(0, Math.trunc(options.exactSearchLimit ?? EXACT_SEARCH_LIMIT)),
      Math.max(1, Math.trunc(options.ownerErasePage ?? OWNER_ERASE_PAGE)),
      dispatcher,
      chromadb,
      breaker,
      url.origin,
    );
  }

  /**
   * Every call to Chroma after start-up but the readiness probe: `request`
   * through Chroma's circuit breaker, a failed exchange reported as
   * ChromaConnectionError (see asOutage). While the circuit is open,
   * `request` is not made at all. Long calls (a page of an owner's erasure, a
   * write batch) are sized to stay far inside their deadline, so one that
   * times out is an outage too.
   */
  private reach<T>(request: () => Promise<T>): Promise<T> {
    return this.breaker.run(async () => {
      try {
        return await request();
      } catch (error) {
        throw asOutage(error, this.errors, this.origin);
      }
    });
  }

  /** The state of Chroma's circuit breaker, for readiness. */
  get circuit(): CircuitStatus {
    return this.breaker.status;
  }

  async replaceDocument(
    ownerId: string,
    documentId: string,
    chunks: readonly IndexedChunk[],
  ): Promise<ReplaceResult> {
    assertOwner(ownerId);
    this.forgetSizes(ownerId);
    for (const chunk of chunks) {
      if (chunk.documentId !== documentId)
        throw new Error(`chunk ${chunk.chunkId} belongs to another document`);
      if (chunk.embedding.length !== this.dimensions) {
        throw new RangeError(
          `chunk ${chunk.chunkId} has ${chunk.embedding.length} dimensions, the index ${this.dimensions}`,
        );
      }
    }
    const before = await this.listDocument(ownerId, documentId);
    const ids = chunks.map((chunk) => chunkRecordId(ownerId, chunk));
    // A record id names the owner, the chunk id and the embedding; the
    // collection names the embedding model. When every chunk id is the one
    // chunkDocument gives its text (document, ordinal, text hash), a record
    // that already has one of these ids holds exactly that chunk and vector,
    // so `add`, which leaves an existing id as it is, gives the same records as
    // `upsert` and costs Chroma a little less. (Without the embedding in the id,
    // a renamed document, whose chunks embed its new title, kept its old
    // vectors.) Other chunk ids are upserted. New chunks first, then the stale
    // ones go, so readers never see the document missing while it is re-indexed.
    const contentAddressed = chunks.every(
      (chunk) => chunk.chunkId === chunkIdFor(documentId, chunk.ordinal, chunk.text),
    );
    let attempted = 0;
    try {
      for (let from = 0; from < chunks.length; from += WRITE_BATCH) {
        attempted = Math.min(chunks.length, from + WRITE_BATCH);
        await this.reach(() =>
          this.write(
            contentAddressed ? 'add' : 'upsert',
            ownerId,
            chunks.slice(from, from + WRITE_BATCH),
            ids.slice(from, from + WRITE_BATCH),
          ),
        );
      }
    } catch (error) {
      await this.removeAdded(ids.slice(0, attempted), before);
      throw error;
    }
    const keep = new Set(ids);
    const stale = [...before].filter((id) => !keep.has(id));
    if (stale.length > 0) {
      try {
        await this.reach(() => this.collection.delete({ ids: stale }));
      } catch (error) {
        // The new version is stored, but the old one could not be taken
        // away: readers would find both. Back to the old version, as the
        // embedded index's transaction leaves it (a retry converges either way).
        await this.removeAdded(ids, before);
        throw error;
      }
    }
    // Chunks removed: a chunk stored again with another vector was replaced.
    const written = new Set(chunks.map((chunk) => chunk.chunkId));
    const removed = new Set(
      stale.map((id) => chunkIdOfRecord(ownerId, id)).filter((chunkId) => !written.has(chunkId)),
    );
    return { upserted: chunks.length, removed: removed.size };
  }

  /**
   * The record ids the owner's document has before a write, listed before
   * its first batch is sent: only then does the listing hold exactly what was
   * there before, so that what it holds and the new version lacks is stale,
   * and what a failed write attempted and it lacks is what the write added.
   * Listed beside the writes instead, a listing served after a batch would
   * count that batch as old, and one that failed after the writes would leave
   * the stale chunks beside the new ones. It costs the write path one round
   * trip; when it fails, nothing has been written.
   *
   * Only ids are listed, and a record id starts with its owner, so the
   * listing filters on the document alone (one metadata condition is cheaper
   * for Chroma than two) and the owner's ids are picked here.
   */
  private async listDocument(ownerId: string, documentId: string): Promise<ReadonlySet<string>> {
    const listed = await this.reach(() =>
      this.collection.get({ where: { documentId: { $eq: documentId } }, include: [] }),
    );
    const ownerPrefix = recordId(ownerId, '');
    return new Set(listed.ids.filter((id) => id.startsWith(ownerPrefix)));
  }

  /**
   * After a failed write, removes the records this write added, so the
   * document is left as it was: batches before the failure were stored, and
   * a reader would otherwise find part of the new version next to the old.
   * Records listed before the write are kept (an `add` left them untouched;
   * an `upsert` of ids other than chunkDocument's may have overwritten some,
   * which only the caller's retry can undo). When even this fails, Chroma is
   * out of reach and the caller's retry of the same write completes the
   * version instead (the backend's outbox retries until it succeeds); so it
   * is also when the write's outage has just opened Chroma's circuit, which
   * spares the caller a second deadline.
   */
  private async removeAdded(
    attemptedIds: readonly string[],
    before: ReadonlySet<string>,
  ): Promise<void> {
    const added = attemptedIds.filter((id) => !before.has(id));
    if (added.length === 0) return;
    try {
      await this.reach(() => this.collection.delete({ ids: added }));
    } catch {
      // The write's own error is the one to report.
    }
  }

  /**
   * `collection.add`/`upsert` of one batch. When the server takes base64
   * embeddings (its pre-flight answer says so), the records are posted to the
   * endpoint the client would use, with each embedding's float32 bytes encoded
   * by Buffer: the client's own encoder turns every byte into a string of its
   * own and took 10-15 ms for one 30 KB document's 63 embeddings here, on the
   * request's critical path; Buffer takes ~0.1 ms. The bytes sent are the same.
   */
  private async write(
    mode: 'add' | 'upsert',
    ownerId: string,
    chunks: readonly IndexedChunk[],
    ids: string[],
  ): Promise<void> {
    const documents = chunks.map((chunk) => chunk.text);
    const metadatas = chunks.map((chunk): ChunkMetadata => ({
      ownerId,
      documentId: chunk.documentId,
      chunkId: chunk.chunkId,
      ordinal: chunk.ordinal,
      ...(chunk.title === undefined ? {} : { title: chunk.title }),
    }));
    if (!this.writer) {
      const embeddings = chunks.map((chunk) => Array.from(chunk.embedding));
      try {
        await this.collection[mode]({ ids, embeddings, documents, metadatas });
      } catch (error) {
        // The client's error for a 400 or 422 answer.
        if ((error as Error).name === 'ChromaClientError')
          throw new VectorWriteRejectedError('Chroma', (error as Error).message);
        throw asOutage(error, this.errors, this.origin);
      }
      return;
    }
    const embeddings = chunks.map(({ embedding }) =>
      Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).toString('base64'),
    );
    const { errors } = this;
    let response: Response;
    let body: string;
    try {
      // The client's pool, with its connect timeout and per-call deadline,
      // which also covers reading the answer below.
      response = await fetch(
        `${this.writer.url}/${mode}`,
        throughDispatcher(
          {
            method: 'POST',
            headers: this.writer.headers,
            body: JSON.stringify({ ids, embeddings, documents, metadatas }),
          },
          this.dispatcher,
        ),
      );
      body = await response.text();
    } catch (error) {
      throw new errors.ChromaConnectionError(
        `Failed to connect to Chroma: ${describeTransportFailure(error)}`,
        error,
      );
    }
    if (!response.ok) {
      const message = `Chroma ${mode} answered ${response.status}: ${body.slice(0, 500)}`;
      // 400/422 refuse these records: sending them again would be refused
      // again. Anything else (429, an expired token, a collection being
      // recreated) may pass later, so the caller's retry gets its chance, as
      // the client path's ChromaClientError does for the same statuses.
      throw response.status === 400 || response.status === 422
        ? new VectorWriteRejectedError('Chroma', message)
        : new errors.ChromaServerError(message);
    }
  }

  async removeDocument(ownerId: string, documentId: string): Promise<{ removed: number }> {
    assertOwner(ownerId);
    this.forgetSizes(ownerId);
    const existing = await this.reach(() =>
      this.collection.get({ where: documentFilter(ownerId, [documentId]), include: [] }),
    );
    if (existing.ids.length > 0)
      await this.reach(() => this.collection.delete({ ids: existing.ids }));
    return { removed: existing.ids.length };
  }

  async removeOwner(ownerId: string): Promise<{ removed: number; documents: number }> {
    assertOwner(ownerId);
    this.forgetSizes(ownerId);
    const where = documentFilter(ownerId);
    let removed = 0;
    const documents = new Set<string>();
    let previousFirst: string | undefined;
    // A page of the owner's ids at a time, listed (the server's delete does
    // not say how many records went) and deleted by id, until none is left:
    // chunks written since the erasure began go too.
    for (;;) {
      const page = await this.reach(() =>
        this.collection.get<ChunkMetadata>({
          where,
          include: ['metadatas'],
          limit: this.ownerErasePage,
        }),
      );
      if (page.ids.length === 0) break;
      if (page.ids[0] === previousFirst) {
        throw new Error(`Chroma still lists record ${previousFirst} after deleting it`);
      }
      previousFirst = page.ids[0];
      for (const metadata of page.metadatas) {
        if (metadata?.documentId !== undefined) documents.add(metadata.documentId);
      }
      await this.reach(() => this.collection.delete({ ids: page.ids }));
      removed += page.ids.length;
    }
    // A search that ran meanwhile may have cached the count from before.
    this.forgetSizes(ownerId);
    return { removed, documents: documents.size };
  }

  async queryVector(query: ChunkQuery, vector: Float32Array): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    if (vector.length !== this.dimensions)
      throw new RangeError(
        `query vector has ${vector.length} dimensions, the index ${this.dimensions}`,
      );
    if (isZeroVector(vector) || query.k <= 0 || query.documentIds?.length === 0) return [];
    const where = documentFilter(query.ownerId, query.documentIds);
    const result = await this.reach(() =>
      this.collection.query<ChunkMetadata>({
        queryEmbeddings: [Array.from(vector)],
        nResults: query.k,
        where,
        include: ['documents', 'metadatas', 'distances'],
      }),
    );
    const returned = result.ids[0]?.length ?? 0;
    const hits: ChunkHit[] = [];
    const metadatas = result.metadatas[0] ?? [];
    metadatas.forEach((metadata, index) => {
      const distance = result.distances[0]?.[index];
      if (!metadata || distance === null || distance === undefined) return;
      const score = Number((1 - distance).toFixed(6));
      // HNSW returns the k nearest whatever their distance: a chunk at cosine
      // 0 or below (a zero vector among them) shares nothing with the query.
      if (score <= 0) return;
      hits.push(chunkHit(metadata, result.documents[0]?.[index] ?? '', score));
    });
    if (hits.length < query.k && (await this.needsExactSearch(query, where, returned))) {
      // A full answer stands for itself: only the fewer-hits case is read past the bound.
      const bound = returned < query.k ? undefined : this.exactSearchLimit;
      const exact = await this.exactNearest(query.k, vector, where, bound);
      if (exact) return exact;
    }
    // HNSW orders equal distances as its graph found them; ties come in
    // chunk-id order, as the exact search and the embedded index give them.
    return hits.sort(byScoreThenChunkId);
  }

  /**
   * Whether an exact search must stand in for an HNSW answer with fewer than
   * k hits that point the query's way. HNSW misses records in two cases:
   *
   * - Its filtered search comes back short when many records of other owners
   *   sit on the query's spot (a popular document uploaded by hundreds of
   *   users gives identical vectors): 3 of an owner's chunks with 400
   *   identical ones elsewhere found 2. Fewer records than asked while the
   *   scope holds more is that case, and is searched exactly at any size: it
   *   is rare on a large scope, whose own records fill the answer.
   * - Identical vectors cut records off its graph. Its neighbour heuristic
   *   keeps a candidate only if it is nearer the new record than to the
   *   neighbours kept so far, so a chunk inserted beside hundreds of
   *   identical chunks (an owner's log of "heartbeat ok.") gets one link into
   *   the clump, and the back link is dropped when that full neighbour list
   *   is pruned again: no search reaches the chunk, unfiltered, by its own
   *   vector, or asking for every record (1,300 asked of 1,201 gave 292).
   *   HNSW then answers with k of the clump, sharing nothing with the query.
   *   No HNSW setting mends it (ef_search only widens the search within what
   *   is reachable; more neighbours moved the count it takes, and cannot be
   *   changed on an existing collection), so a scope of at most
   *   exactSearchLimit records is searched exactly; past it, HNSW's answer stands.
   *
   * A scope HNSW has returned whole needs neither.
   */
  private async needsExactSearch(
    query: ChunkQuery,
    where: Where,
    returned: number,
  ): Promise<boolean> {
    if (returned < query.k) return this.holdsMoreThan(where, returned);
    return !(await this.pastExactLimit(query, where));
  }

  /** Whether the query's scope holds more than exactSearchLimit records; reused for a while. */
  private async pastExactLimit(query: ChunkQuery, where: Where): Promise<boolean> {
    const scope = query.documentIds ? JSON.stringify([...query.documentIds].sort()) : '';
    const known = this.scopesPastExactLimit.get(query.ownerId)?.get(scope);
    if (known !== undefined) return known;
    const past = await this.holdsMoreThan(where, this.exactSearchLimit);
    const scopes = this.scopesPastExactLimit.get(query.ownerId) ?? new Map<string, boolean>();
    // An owner searched in ever new sets of documents: its scopes start over.
    if (scopes.size >= MAX_SCOPES_PER_OWNER) scopes.clear();
    scopes.set(scope, past);
    this.scopesPastExactLimit.set(query.ownerId, scopes);
    return past;
  }

  /** The owner's writes change its sizes: BM25's chunk count and the exact search's bound. */
  private forgetSizes(ownerId: string): void {
    this.ownerChunkCounts.delete(ownerId);
    this.scopesPastExactLimit.delete(ownerId);
  }

  /** Whether more than `count` records match `where`: one read of at most count + 1 ids. */
  private async holdsMoreThan(where: Where, count: number): Promise<boolean> {
    const listed = await this.reach(() =>
      this.collection.get({ where, limit: count + 1, include: [] }),
    );
    return listed.ids.length > count;
  }

  /**
   * The k records of `where` nearest `vector` by cosine, read page by page,
   * above 0 as queryVector's, ties in chunk-id order.
   */
  private async exactNearest(
    k: number,
    vector: Float32Array,
    where: Where,
    /**
     * Gives up (undefined) once the scope proves larger: the size
     * needsExactSearch remembered may be stale (another replica's writes).
     */
    maxRecords?: number,
  ): Promise<ChunkHit[] | undefined> {
    const queryNorm = Math.hypot(...vector);
    let nearest: ChunkHit[] = [];
    for (let offset = 0; ; offset += this.exactSearchPage) {
      if (maxRecords !== undefined && offset >= maxRecords) {
        const beyond = await this.reach(() =>
          this.collection.get({ where, limit: 1, offset, include: [] }),
        );
        if (beyond.ids.length > 0) return undefined;
        return nearest;
      }
      const page = await this.reach(() =>
        this.collection.get<ChunkMetadata>({
          where,
          limit: this.exactSearchPage,
          offset,
          include: ['documents', 'metadatas', 'embeddings'],
        }),
      );
      page.ids.forEach((_id, index) => {
        const metadata = page.metadatas[index];
        const embedding = page.embeddings[index];
        if (!metadata || !embedding) return;
        const score = Number(cosine(vector, queryNorm, embedding).toFixed(6));
        if (score > 0) nearest.push(chunkHit(metadata, page.documents[index] ?? '', score));
      });
      nearest = nearest.sort(byScoreThenChunkId).slice(0, k);
      if (page.ids.length < this.exactSearchPage) return nearest;
    }
  }

  async queryLexical(query: ChunkQuery, text: string): Promise<ChunkHit[]> {
    assertOwner(query.ownerId);
    // The terms BM25 ranks by: a chunk without any of them cannot score.
    const terms = prefilterTerms(text);
    if (terms.length === 0 || query.k <= 0 || query.documentIds?.length === 0) return [];
    const conditions = terms.map(termCondition);
    const candidates = await this.reach(() =>
      this.collection.get<ChunkMetadata>({
        where: documentFilter(query.ownerId, query.documentIds),
        whereDocument:
          conditions.length === 1 ? (conditions[0] as WhereDocument) : { $or: conditions },
        limit: LEXICAL_CANDIDATES,
        include: ['documents', 'metadatas'],
      }),
    );
    const documents = candidates.ids.flatMap((_id, index) => {
      const metadata = candidates.metadatas[index];
      const document = candidates.documents[index];
      return metadata && document ? [{ item: { metadata, document }, text: document }] : [];
    });
    // The owner's corpus, not the collection's: another tenant's volume must not weigh terms here.
    const total = await this.ownerChunkCount(query.ownerId);
    return rankBm25(text, documents, { totalDocuments: total })
      .slice(0, query.k)
      .map(({ item, score }) => chunkHit(item.metadata, item.document, Number(score.toFixed(6))));
  }

  private async ownerChunkCount(ownerId: string): Promise<number> {
    const known = this.ownerChunkCounts.get(ownerId);
    if (known !== undefined) return known;
    const counted = await this.countChunks(ownerId);
    this.ownerChunkCounts.set(ownerId, counted);
    return counted;
  }

  async countChunks(ownerId: string, documentId?: string): Promise<number> {
    assertOwner(ownerId);
    const result = await this.reach(() =>
      this.collection.get({
        where: documentFilter(ownerId, documentId === undefined ? undefined : [documentId]),
        include: [],
      }),
    );
    return result.ids.length;
  }

  /**
   * Past Chroma's circuit, and not counted by it: readiness reports whether
   * Chroma answers now, also while the circuit keeps the other calls out. A
   * heartbeat touches no disk, so one that answers does not close the
   * circuit either: a Chroma whose reads hang may still answer it.
   */
  async ping(): Promise<void> {
    try {
      await this.client.heartbeat();
    } catch (error) {
      throw asOutage(error, this.errors, this.origin);
    }
  }

  async close(): Promise<void> {
    // The pool's connections; a call still running ends by its deadline.
    // Once: undici refuses to close a pool it has already closed.
    this.closing ??= this.dispatcher.close();
    await this.closing;
  }
}

/** Chroma ids are global, so the owner is part of the record id. */
function recordId(ownerId: string, chunkId: string): string {
  return `${encodeURIComponent(ownerId)}/${chunkId}`;
}

/** The chunk id a record of the owner holds (records written before fingerprints have none). */
function chunkIdOfRecord(ownerId: string, id: string): string {
  return id.slice(recordId(ownerId, '').length).replace(FINGERPRINT_SUFFIX, '');
}

const FINGERPRINT_SUFFIX = /~[A-Za-z0-9_-]{16}$/;

/**
 * A chunk's record: its id, then a fingerprint of the vector and the title it
 * is stored with. The title counts on its own (its vector already changes with
 * it) so that re-indexing a record written before titles were kept, whose
 * vector is the same, writes it anew with its title rather than keep it.
 */
function chunkRecordId(ownerId: string, chunk: IndexedChunk): string {
  const { buffer, byteOffset, byteLength } = chunk.embedding;
  const hash = createHash('sha256').update(new Uint8Array(buffer, byteOffset, byteLength));
  // A record without a title keeps the id it always had.
  if (chunk.title !== undefined) hash.update(`\u0000title:${chunk.title}`);
  const fingerprint = hash.digest('base64url').slice(0, 16);
  return `${recordId(ownerId, chunk.chunkId)}~${fingerprint}`;
}

function documentFilter(ownerId: string, documentIds?: readonly string[]): Where {
  if (!documentIds) return { ownerId: { $eq: ownerId } };
  const documents: Where =
    documentIds.length === 1
      ? { documentId: { $eq: documentIds[0] as string } }
      : { documentId: { $in: [...documentIds] } };
  return { $and: [{ ownerId: { $eq: ownerId } }, documents] };
}

function chunkHit(metadata: ChunkMetadata, text: string, score: number): ChunkHit {
  return {
    documentId: metadata.documentId,
    chunkId: metadata.chunkId,
    ordinal: metadata.ordinal,
    text,
    ...(typeof metadata['title'] === 'string' ? { title: metadata['title'] } : {}),
    score,
  };
}

/** Best score first; equal scores in chunk-id order. */
function byScoreThenChunkId(left: ChunkHit, right: ChunkHit): number {
  return right.score - left.score || compareCodeUnits(left.chunkId, right.chunkId);
}

/** Cosine similarity of the query (its norm given) and a stored vector; 0 for a zero vector. */
function cosine(query: Float32Array, queryNorm: number, stored: readonly number[]): number {
  let dot = 0;
  let storedSquares = 0;
  for (let index = 0; index < query.length; index += 1) {
    const value = stored[index] ?? 0;
    dot += (query[index] as number) * value;
    storedSquares += value * value;
  }
  return storedSquares === 0 ? 0 : dot / (queryNorm * Math.sqrt(storedSquares));
}
