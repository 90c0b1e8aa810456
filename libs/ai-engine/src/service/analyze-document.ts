import { wellFormedText } from '@docuthinker/contracts';
import { InvalidInputError, TaskUnsupportedError } from '../errors';
import type { ProviderName } from '../providers/ai-provider';
import {
  ProvidersExhaustedError,
  type ChainResult,
  type ProviderChain,
} from '../providers/provider-chain';
import { inlineOfflineTasks, type OfflineTaskRunner } from '../offline/offline-task-runner';
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
}

const CONTEXT_PASSAGES = 4;

/**
 * The title the document is indexed under: `metadata.title`, made
 * well-formed as every stored text is. The `/analyze` contract has checked
 * and bounded it already; this holds for callers without the contract.
 */
function indexedTitle(metadata: AnalyzeRequest['metadata']): string {
  const title = metadata?.['title'];
  return typeof title === 'string' ? wellFormedText(title) : '';
}

/**
 * Serves the `/analyze` contract from the provider chain, for when the
 * FastAPI container is not configured or its circuit is open. Each part runs
 * through the chain on its own, so one failing provider degrades one part.
 */
export async function analyzeDocument(
  request: AnalyzeRequest,
  context: AnalyzeContext,
): Promise<AnalyzeResponse> {
  if (typeof request.document !== 'string' || request.document.trim().length === 0) {
    throw new InvalidInputError('document', 'must be a non-empty string');
  }
  const { providers } = context;
  const input = { text: request.document };
  const used: Record<string, ChainResult<unknown>> = {};
  const track = async <T>(part: string, run: Promise<ChainResult<T>>): Promise<ChainResult<T>> => {
    const result = await run;
    used[part] = result;
    return result;
  };

  const question = request.question?.trim();
  // Only for a question: chunking alone takes ~0.15 s on a 2 MB document.
  const passages = question
    ? await (context.offlineTasks ?? inlineOfflineTasks).rankPassages({
        documentId: context.documentId ?? 'document',
        text: request.document,
        question,
        limit: CONTEXT_PASSAGES,
      })
    : [];

  const [summary, topics, discussion, insights, sentiment, translation, answer] = await Promise.all(
    [
      track('summary', providers.runTask('summary', input)),
      track('topics', providers.runTask('topics', input)),
      track('discussion', providers.runTask('discussion-points', input)),
      track('insights', providers.runTask('key-ideas', input)),
      track('sentiment', providers.runTask('sentiment', input)),
      request.translate_lang
        ? track(
            'translation',
            providers.runTask('summary-in-language', {
              ...input,
              options: { language: request.translate_lang },
            }),
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
            providers.answer({
              question,
              passages: passages.map((chunk) => ({ id: chunk.chunkId, text: chunk.text })),
            }),
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
    const indexed = await context.retrieval.index({
      ownerId: context.ownerId,
      documentId: context.documentId,
      title: indexedTitle(request.metadata),
      text: request.document,
    });
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
        snippet: chunk.text.slice(0, 320),
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
