import { getMaxListeners, setMaxListeners } from 'node:events';
import { cleanTitleText, clipText, hasVisibleText, wellFormedText } from '@docuthinker/contracts';
import { InvalidInputError, TaskUnsupportedError } from '../errors';
import type { ProviderName } from '../providers/ai-provider';
import {
  CountedOnce,
  ProvidersExhaustedError,
  type ChainResult,
  type ProviderChain,
} from '../providers/provider-chain';
import { inlineOfflineTasks, type OfflineTaskRunner } from '../offline/offline-task-runner';
import { ClientAbortedError, untilClientLeaves } from '../providers/client-abort';
import type { RetrievalService } from './retrieval-service';

/** The FastAPI container's `/analyze` request. */
export interface AnalyzeRequest {
  readonly document: string;
  readonly question?: string;
  readonly translate_lang?: string;
  readonly metadata?: Record<string, unknown>;
}

export type SyncState = 'indexed' | 'disabled' | 'skipped';

/** The FastAPI container's `/analyze` answer, plus which providers served it. */
export interface AnalyzeResponse {
  readonly summary: string;
  readonly topics: string[];
  readonly qa: string | null;
  readonly discussion: string[];
  readonly insights: string[];
  readonly document_id: string;
  readonly metadata: Record<string, unknown>;
  readonly sentiment: { label: string; confidence: number; rationale: string };
  readonly translation: string | null;
  readonly rag: {
    overview: string;
    key_topics: string[];
    qa_answer: string | null;
    supporting_context: string[];
    citations: Array<{ chunk_id: string; snippet: string }>;
  };
  readonly sync: { graph: SyncState; vector_store: SyncState };
  /** Not in the FastAPI contract: who answered each part, and whether any part fell back. */
  readonly providers: Record<string, ProviderName>;
  readonly degraded: boolean;
}

export interface AnalyzeContext {
  readonly providers: ProviderChain;
  readonly retrieval: RetrievalService;
  /** With both, the document is also indexed for that owner (the token's subject, never the body's). */
  readonly ownerId?: string;
  readonly documentId?: string;
  /** Where the question's passages are ranked; on the caller's thread when absent. */
  readonly offlineTasks?: OfflineTaskRunner;
  /** Each part's deadline instead of the chain's (see ChainCallOptions.deadlineMs). */
  readonly deadlineMs?: number;
}

const CONTEXT_PASSAGES = 4;

/**
 * The parts of an analysis that run at once (five tasks, a translation and
 * an answer), and how many listeners each may have on the caller's signal at
 * a time: a remote provider's guard puts up to three, the worker pool one.
 */
const CONCURRENT_PARTS = 7;
const SIGNAL_LISTENERS_PER_PART = 4;

/** The most of a document's first line a title taken from it keeps. */
const TITLE_FROM_TEXT_CHARACTERS = 120;

/**
 * The title the document is indexed under: `metadata.title`, made
 * well-formed as every stored text is (the `/analyze` contract has checked
 * and bounded it already; this holds for callers without the contract).
 * Without one, the document's first line that shows something, cut at a
 * word within 120 characters, else the document id: the index route refuses
 * an empty title, and related documents listed as "" named nothing
 * (found by an exploratory test).
 */
function indexedTitle(
  metadata: AnalyzeRequest['metadata'],
  document: string,
  documentId: string,
): string {
  const title = metadata?.['title'];
  if (typeof title === 'string') return wellFormedText(title);
  const firstLine = document
    .split('\n', 50)
    .map((line) => cleanTitleText(wellFormedText(line)))
    .find(hasVisibleText);
  if (firstLine === undefined) return documentId;
  if (firstLine.length <= TITLE_FROM_TEXT_CHARACTERS) return firstLine;
  // Never between the halves of a surrogate pair (an emoji): Chroma refuses half a pair.
  const cut = clipText(firstLine, TITLE_FROM_TEXT_CHARACTERS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > TITLE_FROM_TEXT_CHARACTERS / 2 ? cut.slice(0, lastSpace) : cut}…`;
}

/**
 * Serves the `/analyze` contract from the provider chain, for when the
 * FastAPI container is not configured or its circuit is open. Each part runs
 * through the chain on its own, so one failing provider degrades one part.
 *
 * `signal`: the caller went away. Every provider call under way is cancelled
 * and none starts after, the ranking of the question's passages included,
 * and the call rejects with ClientAbortedError.
 */
export async function analyzeDocument(
  request: AnalyzeRequest,
  context: AnalyzeContext,
  signal?: AbortSignal,
): Promise<AnalyzeResponse> {
  if (typeof request.document !== 'string' || request.document.trim().length === 0) {
    throw new InvalidInputError('document', 'must be a non-empty string');
  }
  if (signal?.aborted) throw new ClientAbortedError(signal);
  // The parts share the one signal: Node's default of ten listeners is
  // expected to be passed here, and its leak warning on every analysis
  // would be noise. Each part removes its listeners as it settles.
  if (signal) {
    const needed = CONCURRENT_PARTS * SIGNAL_LISTENERS_PER_PART;
    if (getMaxListeners(signal) < needed) setMaxListeners(needed, signal);
  }
  const { providers } = context;
  // The parts run at once: a provider's circuit counts the analysis once.
  const call = {
    countedOnce: new CountedOnce(),
    ...(context.deadlineMs === undefined ? {} : { deadlineMs: context.deadlineMs }),
  };
  const input = { text: request.document };
  const used: Record<string, ChainResult<unknown>> = {};
  const track = async <T>(part: string, run: Promise<ChainResult<T>>): Promise<ChainResult<T>> => {
    const result = await run;
    used[part] = result;
    return result;
  };

  const question = request.question?.trim();
  // Only for a question: chunking alone takes ~0.15 s on a 2 MB document.
  // How a worker thread rejects a cancelled task is its pool's business;
  // untilClientLeaves makes it the ClientAbortedError the other parts give.
  const passages = question
    ? await untilClientLeaves(
        (context.offlineTasks ?? inlineOfflineTasks).rankPassages(
          {
            documentId: context.documentId ?? 'document',
            text: request.document,
            question,
            limit: CONTEXT_PASSAGES,
          },
          signal,
        ),
        signal,
      )
    : [];

  const [summary, topics, discussion, insights, sentiment, translation, answer] = await Promise.all(
    [
      track('summary', providers.runTask('summary', input, signal, call)),
      track('topics', providers.runTask('topics', input, signal, call)),
      track('discussion', providers.runTask('discussion-points', input, signal, call)),
      track('insights', providers.runTask('key-ideas', input, signal, call)),
      track('sentiment', providers.runTask('sentiment', input, signal, call)),
      request.translate_lang
        ? track(
            'translation',
            providers.runTask(
              'summary-in-language',
              { ...input, options: { language: request.translate_lang } },
              signal,
              call,
            ),
          ).catch((error: unknown) => {
            // No configured provider translates, or none that can answered:
            // the rest of the analysis still stands.
            if (error instanceof TaskUnsupportedError || error instanceof ProvidersExhaustedError)
              return undefined;
            throw error;
          })
        : undefined,
      question && passages.length > 0
        ? track(
            'qa',
            providers.answer(
              {
                question,
                passages: passages.map((chunk) => ({ id: chunk.chunkId, text: chunk.text })),
              },
              signal,
              call,
            ),
          )
        : undefined,
    ],
  );

  // A disabled index says so whether or not this request names a document to index.
  const { retrieval } = context;
  let sync: AnalyzeResponse['sync'] = {
    graph: retrieval.graphEnabled ? 'skipped' : 'disabled',
    vector_store: retrieval.vectorEnabled ? 'skipped' : 'disabled',
  };
  if (context.ownerId && context.documentId) {
    // Once the caller has left no index starts: nobody would learn whether it
    // was written, and indexing asks a provider too (the embedder). One under
    // way gets the signal: its embedding stops, but a store write already
    // started finishes, the graph following the vector index
    // (RetrievalService.index): leaving never parts the two indexes.
    if (signal?.aborted) throw new ClientAbortedError(signal);
    const indexed = await context.retrieval.index(
      {
        ownerId: context.ownerId,
        documentId: context.documentId,
        title: indexedTitle(request.metadata, request.document, context.documentId),
        text: request.document,
      },
      signal,
    );
    sync = {
      graph: indexed.graph.enabled ? 'indexed' : 'disabled',
      vector_store: indexed.vector.enabled ? 'indexed' : 'disabled',
    };
  }

  const keyTopics = topics.output.keyPhrases.map((phrase) => phrase.phrase);
  const cited = answer
    ? answer.output.citedPassages.flatMap((index) => (passages[index] ? [passages[index]] : []))
    : [];
  const qaAnswer = answer ? answer.output.answer : null;
  const sentimentOutput = sentiment.output;
  return {
    summary: summary.output,
    topics: keyTopics,
    qa: qaAnswer,
    discussion: discussion.output,
    insights: insights.output,
    document_id: context.documentId ?? '',
    metadata: request.metadata ?? {},
    sentiment: {
      label: sentimentOutput.label,
      // How far from neutral the score is: the offline engine's honest confidence.
      confidence: Number(Math.abs(sentimentOutput.score).toFixed(4)),
      rationale: sentimentOutput.description,
    },
    // An untranslated summary is not a translation.
    translation: translation?.output.translated ? translation.output.text : null,
    rag: {
      overview: summary.output,
      key_topics: keyTopics,
      qa_answer: qaAnswer,
      supporting_context: cited.map((chunk) => chunk.text),
      citations: cited.map((chunk) => ({
        chunk_id: chunk.chunkId,
        // Cut at a grapheme: a plain slice could end in half an emoji (found in review).
        snippet: clipText(chunk.text, 320),
      })),
    },
    sync,
    providers: Object.fromEntries(
      Object.entries(used).map(([part, result]) => [part, result.provider]),
    ),
    degraded:
      Object.values(used).some((result) => result.degraded) ||
      (request.translate_lang !== undefined && translation === undefined),
  };
}
