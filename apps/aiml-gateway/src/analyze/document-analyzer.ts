import {
  analyzeDocument,
  type AnalyzeResponse,
  type CircuitStatus,
  type OfflineTaskRunner,
  type ProviderChain,
  type RetrievalService,
} from '@docuthinker/ai-engine';
import type { AnalyzeRequest } from '@docuthinker/contracts';
import { problem } from '../errors';
import {
  UpstreamFailure,
  type Cancellation,
  type UpstreamAnalyzer,
  type UpstreamAnswer,
} from './upstream-analyzer';

export interface AnalyzeOwner {
  readonly ownerId?: string;
  readonly documentId?: string;
}

export type AnalyzeOutcome =
  | { readonly servedBy: 'upstream'; readonly body: Buffer }
  | {
      readonly servedBy: 'local';
      readonly body: AnalyzeResponse;
      /** Why the upstream did not serve it, when one is configured. */
      readonly fallbackReason?: string;
    };

export interface DocumentAnalyzerDependencies {
  /** The FastAPI container; `/analyze` is served locally only when absent. */
  readonly upstream?: UpstreamAnalyzer;
  /** Serves the contract locally; it never includes the upstream, which just failed. */
  readonly providers: ProviderChain;
  readonly retrieval: RetrievalService;
  /** Ranks a question's passages off the event loop (the engine's worker threads). */
  readonly offlineTasks?: OfflineTaskRunner;
  /**
   * The request's AI deadline, which the container's attempt and, after it
   * failed, the local fallback share: a fallback given a fresh one answered
   * a hung container's request after 105 s (found in an exploratory test).
   * Unset, the fallback has the chain's own.
   */
  readonly deadlineMs?: number;
}

/**
 * `/analyze`: the FastAPI container when one is configured and answering,
 * the local provider chain otherwise — including while the container's
 * circuit is open, so a dead container costs one fast failure, not a timeout.
 */
export class DocumentAnalyzer {
  constructor(private readonly dependencies: DocumentAnalyzerDependencies) {}

  get upstreamCircuit(): CircuitStatus | undefined {
    return this.dependencies.upstream?.circuitState;
  }

  /** Whether a request would go to the container now: one is configured and its circuit is closed. */
  get proxying(): boolean {
    return this.dependencies.upstream?.circuitState === 'closed';
  }

  /**
   * The container's answer to `rawBody`, with no fallback: for a caller that
   * hands a failure back to `analyze` (as `upstreamAttempt`) to be dealt with.
   */
  proxy(
    rawBody: Buffer,
    requestId: string,
    signal?: Cancellation,
    startedAt = performance.now(),
  ): Promise<UpstreamAnswer> {
    const { upstream } = this.dependencies;
    if (!upstream) return Promise.reject(new Error('no upstream is configured'));
    return upstream.analyze(rawBody, requestId, signal, this.deadlineAt(startedAt));
  }

  /** When a request begun at `startedAt` must be answered by, if there is a deadline. */
  private deadlineAt(startedAt: number): number | undefined {
    const { deadlineMs } = this.dependencies;
    return deadlineMs === undefined ? undefined : startedAt + deadlineMs;
  }

  /** Releases the upstream's pooled connections. */
  close(): void {
    this.dependencies.upstream?.close();
  }

  /**
   * `rawBody` is the client's JSON exactly as received, when the caller kept
   * it: the upstream gets those bytes instead of a re-serialisation.
   * `upstreamAttempt` is a `proxy` call already made for this request (by
   * the fast path, which hands failures here): it is used instead of a
   * second call. `startedAt` (performance.now()) is when that call began.
   */
  async analyze(
    request: AnalyzeRequest,
    owner: AnalyzeOwner,
    requestId: string,
    signal?: AbortSignal,
    rawBody?: Buffer | string,
    upstreamAttempt?: Promise<UpstreamAnswer>,
    startedAt = performance.now(),
  ): Promise<AnalyzeOutcome> {
    const { upstream } = this.dependencies;
    if (!upstream) return { servedBy: 'local', body: await this.local(request, owner, signal) };
    try {
      const answer = await (upstreamAttempt ??
        upstream.analyze(
          rawBody ?? JSON.stringify(request),
          requestId,
          signal,
          this.deadlineAt(startedAt),
        ));
      return { servedBy: 'upstream', body: answer.body };
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof UpstreamFailure && error.rejected) {
        throw problem('DT_ERR_UPSTREAM_REJECTED', error.message);
      }
      const deadlineAt = this.deadlineAt(startedAt);
      const left =
        deadlineAt === undefined ? undefined : Math.max(0, deadlineAt - performance.now());
      const body = await this.local(request, owner, signal, left);
      return {
        servedBy: 'local',
        body: { ...body, degraded: true },
        fallbackReason: (error as Error).message,
      };
    }
  }

  /**
   * `signal` as for the upstream: a client that leaves cancels the local
   * chain's provider calls too, and no index is started for it (see
   * analyzeDocument). `deadlineMs`: what is left of the request's deadline.
   */
  private local(
    request: AnalyzeRequest,
    owner: AnalyzeOwner,
    signal: AbortSignal | undefined,
    deadlineMs?: number,
  ): Promise<AnalyzeResponse> {
    return analyzeDocument(
      request,
      {
        providers: this.dependencies.providers,
        retrieval: this.dependencies.retrieval,
        offlineTasks: this.dependencies.offlineTasks,
        ownerId: owner.ownerId,
        documentId: owner.documentId,
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
      },
      signal,
    );
  }
}
