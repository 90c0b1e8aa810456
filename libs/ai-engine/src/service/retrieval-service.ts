import AsyncLock from 'async-lock';
import { TaskCancelledError } from 'cockatiel';
import { codePointBoundary } from '@docuthinker/contracts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IndexDisabledError, InvalidInputError, OwnerErasedError } from '../errors';
import type { DocumentGraphOptions } from '../graph/document-graph';
import type { EntitySummary, KnowledgeGraph, RelatedDocument } from '../graph/knowledge-graph';
import { NO_ANSWER } from '../offline/answer-from-context';
import { inlineOfflineTasks, type OfflineTaskRunner } from '../offline/offline-task-runner';
import { clip } from '../offline/sentence-selection';
import { ClientAbortedError } from '../providers/client-abort';
import { LocalProvider, OFFLINE_ENGINE_MODEL } from '../providers/local-provider';
import { ProviderChain, type ChainResult } from '../providers/provider-chain';
import { ProviderError } from '../providers/provider-error';
import type { ChunkerOptions } from '../retrieval/chunker';
import type { Embedder } from '../retrieval/embedder';
import { nearestSharingTerms } from '../retrieval/hash-collision-filter';
import { HashingEmbedder } from '../retrieval/hashing-embedder';
import { embeddingInputOf } from '../retrieval/prepare-index-document';
import { reciprocalRankFusion } from '../retrieval/reciprocal-rank-fusion';
import type { ChunkHit, ChunkQuery, VectorIndex } from '../retrieval/vector-index';
import { contentTerms } from '../text/tokenize';
import type { AnswerOutput, AnswerRequest, ChatMessage } from '../tasks/task-types';
import type {
  AskRequest,
  AskResult,
  ChatRequest,
  ChatResult,
  Citation,
  IndexRequest,
  IndexResult,
  RemoveOwnerResult,
  RemoveResult,
  SearchHit,
  SearchMode,
  SearchRequest,
} from './retrieval-types';
import { collapseWhitespace } from '../text/collapse-whitespace';
import type { SharedWriteLock } from './shared-write-lock';

export interface RetrievalServiceDependencies {
  readonly embedder: Embedder;
  /** Absent when vector sync is switched off. */
  readonly vectorIndex?: VectorIndex;
  /** Absent when graph sync is switched off. */
  readonly knowledgeGraph?: KnowledgeGraph;
  /** Who turns retrieved passages into an answer; the offline engine by default. */
  readonly answerer?: ProviderChain;
  readonly chunking?: ChunkerOptions;
  readonly graph?: DocumentGraphOptions;
  /**
   * Where a document is chunked, embedded offline and turned into its graph
   * before the writes: on this thread by default; a service passes its
   * OfflineWorkerPool, as that work holds the thread for up to a second.
   */
  readonly offlineTasks?: OfflineTaskRunner;
  /**
   * Orders one document's writes across gateway replicas too (see
   * SharedWriteLock); without it only this process's writes are ordered.
   */
  readonly sharedWriteLock?: SharedWriteLock;
}

/** How long an owner's erasure waits for that owner's writes under way (see removeOwner). */
const ERASURE_WAITS_FOR_WRITES_MS = 10_000;

export const DEFAULT_SEARCH_K = 6;
export const DEFAULT_ASK_K = 5;
export const MAX_K = 50;
/**
 * The most named documents an ask checks one by one for being indexed when
 * nothing of them was found: "ask these documents" names a few; past this,
 * up to 500 counts would follow an answer, and the flag is left out.
 */
export const DOCUMENTS_CHECKED_FOR_INDEX = 20;
const SNIPPET_CHARS = 320;
// Each ranking feeds fusion with more than k candidates so that a chunk both
// rankings like, but neither puts first, can still win.
const FUSION_DEPTH = 4;
/**
 * The longest text a search runs on: the search and ask contracts' bound on a
 * query. A chat message may be ten times longer; its retrieval query is cut
 * to this, so that embedding it stays well inside the embedding models' input
 * limits and lexical search does not look for thousands of terms.
 */
export const MAX_QUERY_CHARS = 2_000;

function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new InvalidInputError(field, 'must be a non-empty string');
  return value;
}

function requireK(value: number | undefined, fallback: number): number {
  const k = value ?? fallback;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new InvalidInputError('k', `must be an integer from 1 to ${MAX_K}`);
  return k;
}

function documentKey(ownerId: string, documentId: string): string {
  return JSON.stringify([ownerId, documentId]);
}

/** The first `MAX_QUERY_CHARS` of `text`, cut at a space where one is near the end. */
function boundedQuery(text: string): string {
  if (text.length <= MAX_QUERY_CHARS) return text;
  const cut = text.slice(0, codePointBoundary(text, 0, MAX_QUERY_CHARS));
  const lastSpace = cut.search(/\s\S*$/);
  return lastSpace > MAX_QUERY_CHARS * 0.9 ? cut.slice(0, lastSpace) : cut;
}

/**
 * The offline embedder as it is, which the indexing threads can stand in for
 * with one of the same size; not a subclass or an instance whose methods were
 * replaced, which may embed differently and must be asked itself.
 */
function isPlainHashingEmbedder(embedder: Embedder): embedder is HashingEmbedder {
  return (
    embedder instanceof HashingEmbedder &&
    embedder.constructor === HashingEmbedder &&
    embedder.embed === HashingEmbedder.prototype.embed &&
    embedder.embedOne === HashingEmbedder.prototype.embedOne
  );
}

/** The embedding provider failed or timed out: the query can still be ranked by its terms. */
function isEmbeddingFailure(error: unknown): boolean {
  return error instanceof ProviderError || error instanceof TaskCancelledError;
}

interface Retrieved {
  readonly hits: ChunkHit[];
  /** Ranked by terms alone because the query could not be embedded. */
  readonly degraded: boolean;
}

function toSearchHit(hit: ChunkHit): SearchHit {
  return { documentId: hit.documentId, chunkId: hit.chunkId, text: hit.text, score: hit.score };
}

/**
 * Retrieval over one owner's documents: indexing into the vector index and
 * the knowledge graph, search (vector, lexical or hybrid), grounded answers
 * with citations, and graph queries. Knows nothing about HTTP.
 */
export class RetrievalService {
  private readonly answerer: ProviderChain;
  /**
   * Writes to one document run one after another, in the order they arrive.
   * A re-index lists the document's old chunks while it writes the new ones,
   * so two writes at once could keep both versions, or bring back the chunks
   * of a document deleted meanwhile. Across gateway replicas the shared
   * write lock orders them (users index at the gateway directly, so the
   * backend's outbox alone does not). The queue is not bounded here: the
   * request body limit and the server's connections bound it.
   */
  private readonly documentWrites = new AsyncLock({ maxPending: Infinity });
  /** Each owner's document writes queued or under way here, which an owner's erasure waits for. */
  private readonly ownerWrites = new Map<string, Set<Promise<unknown>>>();
  /**
   * Owners whose erasure began while some of their writes were under way
   * here, with a number that changes at each such erasure: a write that
   * finds it changed since it began was overtaken by an erasure (see
   * writeIndex). Forgotten once the owner has no write under way.
   */
  private readonly ownerErasures = new Map<string, number>();
  private erasures = 0;
  /**
   * Each owner's erasure under way here, settled or not. An index write that
   * arrives meanwhile waits for it and lands whole after it: one that ran
   * beside its removal could meet the vector index after the erasure had
   * cleared it and the graph before, or the other way round, and keep half
   * of the document (exploratory test: its entities listed, its chunks gone).
   */
  private readonly ownerRemovals = new Map<string, Promise<unknown>>();

  constructor(private readonly dependencies: RetrievalServiceDependencies) {
    this.answerer = dependencies.answerer ?? new ProviderChain([new LocalProvider()]);
  }

  get vectorEnabled(): boolean {
    return this.dependencies.vectorIndex !== undefined;
  }

  get graphEnabled(): boolean {
    return this.dependencies.knowledgeGraph !== undefined;
  }

  /**
   * `signal`: the caller went away (the backend's outbox gave up and will
   * retry). Embedding stops, and a call still waiting for the document's
   * lock never starts, so a retry does not queue behind work nobody wants.
   */
  async index(request: IndexRequest, signal?: AbortSignal): Promise<IndexResult> {
    const ownerId = requireText('ownerId', request.ownerId);
    const documentId = requireText('documentId', request.documentId);
    if (typeof request.text !== 'string') throw new InvalidInputError('text', 'must be a string');
    // An erasure of the owner under way: this write lands whole after it (see ownerRemovals).
    let removal: Promise<unknown> | undefined;
    while ((removal = this.ownerRemovals.get(ownerId)) !== undefined) await removal;
    // Taken on arrival: a write queued behind another of the document's is
    // overtaken by an erasure that begins while it waits, too.
    const erasureOnArrival = this.ownerErasures.get(ownerId);
    return this.ownerWrite(ownerId, () =>
      this.documentWrite(ownerId, documentId, signal, () =>
        this.writeIndex(ownerId, documentId, request, signal, erasureOnArrival),
      ),
    );
  }

  /** Runs one of the owner's document writes, known to the owner's erasure until it settles. */
  private ownerWrite<T>(ownerId: string, write: () => Promise<T>): Promise<T> {
    const pending = write();
    let writes = this.ownerWrites.get(ownerId);
    if (!writes) this.ownerWrites.set(ownerId, (writes = new Set()));
    writes.add(pending);
    const forget = () => {
      writes.delete(pending);
      if (writes.size === 0 && this.ownerWrites.get(ownerId) === writes) {
        this.ownerWrites.delete(ownerId);
        this.ownerErasures.delete(ownerId);
      }
    };
    pending.then(forget, forget);
    return pending;
  }

  private async writeIndex(
    ownerId: string,
    documentId: string,
    request: IndexRequest,
    signal: AbortSignal | undefined,
    /** The owner's erasure number when the write arrived (see ownerErasures). */
    erasureOnArrival: number | undefined,
  ): Promise<IndexResult> {
    const title = typeof request.title === 'string' ? request.title : '';
    const { vectorIndex, knowledgeGraph, embedder } = this.dependencies;
    const erasedSinceStart = () => this.ownerErasures.get(ownerId) !== erasureOnArrival;
    if (erasedSinceStart()) throw new OwnerErasedError(ownerId, documentId);

    const tasks = this.dependencies.offlineTasks ?? inlineOfflineTasks;
    // The offline embedder is pure CPU and embeds with the chunking; a
    // provider's embedder is called from here, as it waits on the network.
    const embedsOffline = vectorIndex !== undefined && isPlainHashingEmbedder(embedder);
    const { chunks, embeddings } = await tasks.prepareChunks(
      {
        documentId,
        title,
        text: request.text,
        chunking: this.dependencies.chunking,
        hashingDimensions: embedsOffline ? embedder.dimensions : undefined,
      },
      signal,
    );
    // The graph is written only once the vector index has the new chunks: a
    // write the vector index refuses (or a store outage) then leaves both
    // indexes as they were, and the caller's retry (the backend's outbox)
    // starts from a consistent state. The vector adapters undo their own
    // partial writes. The graph is built meanwhile: in a worker thread, or
    // (inline) one turn of the event loop after the vector side, whose
    // requests are on their way by then. Should the graph write fail after
    // the vector write, the vector index holds the new version and the graph
    // the old until the retry.
    const indexVector = async () => {
      if (!vectorIndex) return { enabled: false, upserted: 0, removed: 0 };
      const vectors =
        embeddings ??
        (await embedder.embed(
          chunks.map((chunk) => embeddingInputOf(title, chunk)),
          signal,
        ));
      const result = await vectorIndex.replaceDocument(
        ownerId,
        documentId,
        chunks.map((chunk, index) => ({
          ...chunk,
          title,
          embedding: vectors[index] as Float32Array,
        })),
      );
      return { enabled: true, ...result };
    };
    // Not the caller's signal: once the vector index may hold the new version,
    // the graph must follow it even if the caller has gone. It is dropped
    // only when the vector write failed, and with it the whole index.
    const graphNotNeeded = new AbortController();
    const buildGraph = async () => {
      if (!knowledgeGraph) return undefined;
      await nextTurn();
      const options = this.dependencies.graph;
      return tasks.buildGraph(
        { ownerId, documentId, title, text: request.text, options },
        graphNotNeeded.signal,
      );
    };
    const vectorWrite = indexVector();
    vectorWrite.catch(() => graphNotNeeded.abort());
    const graphDocument = buildGraph();
    // Settled now, awaited below: a vector failure must not leave it unhandled.
    graphDocument.catch(() => undefined);
    const vector = await vectorWrite;
    // An erasure of the owner that began meanwhile (one that waited for this
    // write as long as it may, then removed what was stored) must not be
    // undone by what this write stores after it (found in review: the graph
    // written after the erasure kept the owner's entities). What this write
    // stored is removed again, and nothing more is written.
    if (erasedSinceStart()) {
      graphNotNeeded.abort();
      await this.undoOvertakenWrite(ownerId, documentId, false);
    }
    const document = await graphDocument;
    const graph =
      knowledgeGraph && document
        ? { enabled: true, ...(await knowledgeGraph.replaceDocument(document)) }
        : { enabled: false, nodes: 0, edges: 0 };
    if (erasedSinceStart()) await this.undoOvertakenWrite(ownerId, documentId, true);
    return { documentId, chunks: chunks.length, vector, graph };
  }

  /** Removes what an index write overtaken by its owner's erasure stored, then says so. */
  private async undoOvertakenWrite(
    ownerId: string,
    documentId: string,
    graphWritten: boolean,
  ): Promise<never> {
    const { vectorIndex, knowledgeGraph } = this.dependencies;
    await vectorIndex?.removeDocument(ownerId, documentId);
    if (graphWritten) await knowledgeGraph?.removeDocument(ownerId, documentId);
    throw new OwnerErasedError(ownerId, documentId);
  }

  async remove(ownerId: string, documentId: string): Promise<RemoveResult> {
    requireText('ownerId', ownerId);
    requireText('documentId', documentId);
    return this.ownerWrite(ownerId, () =>
      this.documentWrite(ownerId, documentId, undefined, () =>
        this.writeRemoval(ownerId, documentId),
      ),
    );
  }

  /**
   * Runs one of the document's writes after those before it: first in this
   * process's queue, then, once at its head, under the lock the replicas
   * share, so that only one write a replica waits on it.
   */
  private documentWrite<T>(
    ownerId: string,
    documentId: string,
    signal: AbortSignal | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    const key = documentKey(ownerId, documentId);
    const waitingSince = Date.now();
    const whileCallerWaits = () => {
      if (signal?.aborted) throw new ClientAbortedError(signal);
      return write();
    };
    return this.documentWrites.acquire(key, async () => {
      const shared = this.dependencies.sharedWriteLock;
      if (!shared) return whileCallerWaits();
      try {
        return await shared.holding(key, whileCallerWaits, { signal, waitingSince });
      } catch (error) {
        // Given up while waiting for another replica's write.
        if (signal?.aborted && !(error instanceof ClientAbortedError)) {
          throw new ClientAbortedError(signal);
        }
        throw error;
      }
    });
  }

  private async writeRemoval(ownerId: string, documentId: string): Promise<RemoveResult> {
    const { vectorIndex, knowledgeGraph } = this.dependencies;
    const vector = vectorIndex
      ? { enabled: true, ...(await vectorIndex.removeDocument(ownerId, documentId)) }
      : { enabled: false, removed: 0 };
    const graph = knowledgeGraph
      ? { enabled: true, ...(await knowledgeGraph.removeDocument(ownerId, documentId)) }
      : { enabled: false, removedEntities: 0 };
    return { documentId, vector, graph };
  }

  /**
   * Removes everything the owner has indexed, whoever indexed it: the
   * backend's documents and any a user indexed directly at the gateway.
   * It first waits (up to ERASURE_WAITS_FOR_WRITES_MS) for the owner's
   * document writes queued or under way on this instance, which would
   * otherwise land after it and keep what they wrote. One still under way
   * at that bound undoes what it stored and fails with OwnerErasedError
   * (see writeIndex). One that arrives while it runs waits for it and lands
   * whole after it (see ownerRemovals), as a write on another gateway
   * instance may; account erasure
   * therefore runs it again (the backend's outbox) once the owner's last
   * access token has expired and a request it started has had time to finish.
   */
  async removeOwner(ownerId: string): Promise<RemoveOwnerResult> {
    requireText('ownerId', ownerId);
    const erasure = this.eraseOwner(ownerId);
    const settled = erasure.then(
      () => undefined,
      () => undefined,
    );
    this.ownerRemovals.set(ownerId, settled);
    void settled.then(() => {
      if (this.ownerRemovals.get(ownerId) === settled) this.ownerRemovals.delete(ownerId);
    });
    return erasure;
  }

  private async eraseOwner(ownerId: string): Promise<RemoveOwnerResult> {
    // Their outcome is their callers'; a failed write leaves nothing to wait
    // for. Bounded (review): an owner with a deep queue, or a write stuck on
    // its embedding provider, must not hold the erasure, which runs again.
    const writes = [...(this.ownerWrites.get(ownerId) ?? [])];
    if (writes.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(writes),
        new Promise((resolve) => {
          timer = setTimeout(resolve, ERASURE_WAITS_FOR_WRITES_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    // The writes it stopped waiting for (and any that arrived meanwhile)
    // find this changed and undo themselves (writeIndex).
    if ((this.ownerWrites.get(ownerId)?.size ?? 0) > 0) {
      this.erasures += 1;
      this.ownerErasures.set(ownerId, this.erasures);
    }
    const { vectorIndex, knowledgeGraph } = this.dependencies;
    const vector = vectorIndex
      ? { enabled: true, ...(await vectorIndex.removeOwner(ownerId)) }
      : { enabled: false, removed: 0, documents: 0 };
    const graph = knowledgeGraph
      ? { enabled: true, ...(await knowledgeGraph.removeOwner(ownerId)) }
      : { enabled: false, removedDocuments: 0, removedEntities: 0 };
    return { ownerId, vector, graph };
  }

  /** `degraded`: a hybrid search ranked by terms alone, the query's embedding having failed. */
  async search(
    request: SearchRequest,
    signal?: AbortSignal,
  ): Promise<{ hits: SearchHit[]; degraded: boolean }> {
    const { hits, degraded } = await this.retrieve(request, DEFAULT_SEARCH_K, signal);
    return { hits: hits.map(toSearchHit), degraded };
  }

  /** `signal`: the caller went away; embedding and the answering provider are cancelled. */
  async ask(request: AskRequest, signal?: AbortSignal): Promise<AskResult> {
    const question = requireText('question', request.question);
    const retrieved = await this.retrieve(
      {
        ownerId: request.ownerId,
        query: question,
        k: request.k,
        documentIds: request.documentIds,
        mode: 'hybrid',
      },
      DEFAULT_ASK_K,
      signal,
    );
    const { answer, citations, ...provenance } = await this.answerFrom(
      question,
      retrieved,
      [],
      signal,
    );
    const documentIds = request.documentIds ?? [];
    const documentsIndexed =
      documentIds.length === 0 || documentIds.length > DOCUMENTS_CHECKED_FOR_INDEX
        ? undefined
        : await this.holdsAny(retrieved, request.ownerId, documentIds);
    return {
      answer,
      citations,
      ...provenance,
      ...(documentsIndexed === undefined ? {} : { documentsIndexed }),
    };
  }

  /** `signal`: the caller went away; embedding and the answering provider are cancelled. */
  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    const { question, history, retrieved } = await this.chatTurn(request, signal);
    const answered = await this.answerFrom(question, retrieved, history, signal);
    return this.chatResult(request, retrieved, answered);
  }

  /**
   * A chat reply as its provider writes it (see ProviderChain.streamAnswer):
   * resolves once the reply's first piece is ready, and rejects as `chat`
   * would when the call fails before it. Then the reply's pieces, and the
   * whole reply with its citations.
   */
  async streamChat(
    request: ChatRequest,
    signal?: AbortSignal,
  ): Promise<AsyncGenerator<string, ChatResult, undefined>> {
    const { question, history, retrieved } = await this.chatTurn(request, signal);
    if (retrieved.hits.length === 0) {
      const result = await this.chatResult(request, retrieved, noAnswer(retrieved));
      return (async function* () {
        yield result.reply;
        return result;
      })();
    }
    const { pieces } = await this.answerer.streamAnswer(
      answerRequest(question, retrieved, history),
      signal,
    );
    const reply = async function* (this: RetrievalService) {
      const answered = yield* pieces;
      return this.chatResult(request, retrieved, citedAnswer(answered, retrieved));
    };
    return reply.call(this);
  }

  /** A chat's question, the conversation before it and the passages found for it. */
  private async chatTurn(request: ChatRequest, signal: AbortSignal | undefined) {
    const messages = request.messages ?? [];
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    if (!lastUser) throw new InvalidInputError('messages', 'must contain a user message');
    const question = requireText('messages[].content', lastUser.content);
    const history = messages.slice(0, messages.lastIndexOf(lastUser));
    const retrieved = await this.retrieve(
      {
        ownerId: request.ownerId,
        query: this.chatQuery(question, history),
        k: request.k,
        documentIds: request.documentId ? [request.documentId] : undefined,
        mode: 'hybrid',
      },
      DEFAULT_ASK_K,
      signal,
    );
    return { question, history, retrieved };
  }

  private async chatResult(
    request: ChatRequest,
    retrieved: Retrieved,
    { answer, citations, ...provenance }: CitedAnswer,
  ): Promise<ChatResult> {
    if (request.documentId === undefined) return { reply: answer, citations, ...provenance };
    const documentIndexed = await this.holdsAny(retrieved, request.ownerId, [request.documentId]);
    return {
      reply: answer,
      citations,
      ...provenance,
      ...(documentIndexed === undefined ? {} : { documentIndexed }),
    };
  }

  /**
   * Whether the index holds any of the documents: counted only when nothing
   * was found (a found passage says it already), one document at a time
   * until one is held. Unknown when a count fails: the answer is already
   * made, and the flag only explains it.
   */
  private async holdsAny(
    { hits }: Retrieved,
    ownerId: string,
    documentIds: readonly string[],
  ): Promise<boolean | undefined> {
    if (hits.length > 0) return true;
    const index = this.dependencies.vectorIndex;
    if (!index) return undefined;
    try {
      for (const documentId of documentIds) {
        if ((await index.countChunks(ownerId, documentId)) > 0) return true;
      }
      return false;
    } catch {
      return undefined;
    }
  }

  async related(ownerId: string, documentId: string, limit = 10): Promise<RelatedDocument[]> {
    requireText('ownerId', ownerId);
    requireText('documentId', documentId);
    return this.graph().relatedDocuments(ownerId, documentId, requireK(limit, 10));
  }

  async topEntities(ownerId: string, limit = 20): Promise<EntitySummary[]> {
    requireText('ownerId', ownerId);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new InvalidInputError('limit', 'must be an integer from 1 to 500');
    return this.graph().topEntities(ownerId, limit);
  }

  private graph(): KnowledgeGraph {
    if (!this.dependencies.knowledgeGraph) throw new IndexDisabledError('graph');
    return this.dependencies.knowledgeGraph;
  }

  /**
   * A hybrid search whose query cannot be embedded (the embedding provider
   * failed or timed out) ranks by terms alone and says so, rather than fail
   * a search the lexical index can still answer. A vector search, and
   * indexing, have no such fallback: their failure reaches the caller.
   */
  private async retrieve(
    request: SearchRequest,
    defaultK: number,
    signal?: AbortSignal,
  ): Promise<Retrieved> {
    const ownerId = requireText('ownerId', request.ownerId);
    const query = requireText('query', request.query);
    const k = requireK(request.k, defaultK);
    const mode: SearchMode = request.mode ?? 'hybrid';
    if (!['hybrid', 'vector', 'lexical'].includes(mode))
      throw new InvalidInputError('mode', 'must be hybrid, vector or lexical');
    if (request.documentIds && !request.documentIds.every((id) => typeof id === 'string')) {
      throw new InvalidInputError('documentIds', 'must be a list of strings');
    }
    const index = this.dependencies.vectorIndex;
    if (!index) throw new IndexDisabledError('vector');

    const base: Omit<ChunkQuery, 'k'> = { ownerId, documentIds: request.documentIds };
    const lexicalOnly = async (degraded: boolean): Promise<Retrieved> => ({
      hits: await index.queryLexical({ ...base, k }, query),
      degraded,
    });
    if (mode === 'lexical') return lexicalOnly(false);
    const { embedder } = this.dependencies;
    const embedded = embedder.embed([query], signal);
    // Only the offline embedder's vectors are terms, whose overlap can be checked.
    const dropsCollisions = isPlainHashingEmbedder(embedder);
    // With collisions dropped, a vector search reads deeper until k chunks
    // that share a word are found, so that collisions take no place of one
    // (review). Hybrid's vector half is read once: its lexical half finds
    // every chunk that shares a word, and each deeper read of a large owner
    // costs Chroma another filtered query.
    const nearest = (read: number, vector: Float32Array, wanted: number) =>
      dropsCollisions
        ? nearestSharingTerms(index, { ...base, k: read }, vector, query, wanted)
        : index.queryVector({ ...base, k: read }, vector);
    const depth = Math.min(MAX_K * FUSION_DEPTH, k * FUSION_DEPTH);
    if (mode === 'vector') {
      const [vector] = await embedded;
      const hits = await nearest(dropsCollisions ? depth : k, vector as Float32Array, k);
      return { hits: hits.slice(0, k), degraded: false };
    }
    const vector = await embedded.then(
      ([embedding]) => embedding as Float32Array,
      (error: unknown) => {
        if (isEmbeddingFailure(error)) return undefined;
        throw error;
      },
    );
    if (!vector) return lexicalOnly(true);
    const [byVector, byTerms] = await Promise.all([
      nearest(depth, vector, 0),
      index.queryLexical({ ...base, k: depth }, query),
    ]);
    return { hits: reciprocalRankFusion([byVector, byTerms], k), degraded: false };
  }

  /**
   * A short follow-up ("and in binary form?") borrows the previous question's
   * terms. Bounded like a search query: a chat message may be 20,000 characters.
   */
  private chatQuery(question: string, history: readonly ChatMessage[]): string {
    if (contentTerms(question).length >= 4) return boundedQuery(question);
    const previous = [...history].reverse().find((message) => message.role === 'user');
    return boundedQuery(previous ? `${question} ${previous.content}` : question);
  }

  private async answerFrom(
    question: string,
    retrieved: Retrieved,
    history: readonly ChatMessage[],
    signal: AbortSignal | undefined,
  ): Promise<CitedAnswer> {
    // Nothing of the owner's matched: no provider can ground an answer, so
    // none is asked (and none is paid for).
    if (retrieved.hits.length === 0) return noAnswer(retrieved);
    const result = await this.answerer.answer(answerRequest(question, retrieved, history), signal);
    return citedAnswer(result, retrieved);
  }
}

type CitedAnswer = { answer: string; citations: Citation[] } & Omit<
  AskResult,
  'answer' | 'citations'
>;

/** The answer when nothing of the owner's matched the question. */
function noAnswer({ degraded }: Retrieved): CitedAnswer {
  return {
    answer: NO_ANSWER,
    citations: [],
    provider: 'local',
    model: OFFLINE_ENGINE_MODEL,
    degraded,
  };
}

function answerRequest(
  question: string,
  { hits }: Retrieved,
  history: readonly ChatMessage[],
): AnswerRequest {
  return {
    question,
    passages: hits.map((hit) => ({ id: hit.chunkId, text: hit.text })),
    history,
  };
}

/**
 * The answer with the passages it names as its citations: a reply without
 * markers (a model that says the passages do not answer, say) is backed by
 * none of them. Their order is the answer's: its "[n]" is the n-th citation.
 */
function citedAnswer(
  result: ChainResult<AnswerOutput>,
  { hits, degraded: retrievalDegraded }: Retrieved,
): CitedAnswer {
  const quotes = result.output.quotes ?? [];
  const citations = result.output.citedPassages.flatMap((passage, position) => {
    const hit = hits[passage];
    if (!hit) return [];
    const snippet = quotes[position] ?? collapseWhitespace(hit.text);
    return [
      {
        documentId: hit.documentId,
        chunkId: hit.chunkId,
        snippet: clip(snippet, SNIPPET_CHARS),
        score: hit.score,
      },
    ];
  });
  return {
    answer: result.output.answer,
    citations,
    provider: result.provider,
    model: result.model,
    degraded: result.degraded || retrievalDegraded,
    usage: result.usage,
  };
}
