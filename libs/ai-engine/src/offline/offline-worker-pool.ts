import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as PiscinaModule from 'piscina';
import { OfflineTextTooLargeError, TaskUnsupportedError } from '../errors';
import type { GraphDocument } from '../graph/knowledge-graph';
import type { Chunk } from '../retrieval/chunker';
import type {
  DocumentGraphRequest,
  PrepareChunksRequest,
  PreparedChunks,
} from '../retrieval/prepare-index-document';
import type { RankPassagesRequest } from '../retrieval/rank-passages';
import type { AiTaskName, TaskInput } from '../tasks/task-types';
import type { OfflineTaskResult } from './offline-engine';
import type { OfflineTaskRunner } from './offline-task-runner';
import type { OfflineWorkerReply, OfflineWorkerRequest } from './offline-worker-task';

export interface OfflineWorkerPoolOptions {
  /** The built file that exports `runOfflineWorkerTask`, `prepareChunksInWorker`, `buildGraphInWorker` and `rankPassagesInWorker`. */
  readonly workerFile: string;
  /** Worker threads at most; defaults to one less than the cores, between 1 and 4. */
  readonly threads?: number;
  /**
   * Heap bound of each worker in MB; a task that outgrows it fails alone.
   * Every task on 2 M characters of prose ran within 96 MB; on 2 M characters
   * of one-word sentences ("Ok. Ok. …"), the worst text found, within 250 MB.
   * A task past it fails with OfflineTextTooLargeError.
   */
  readonly heapLimitMb?: number;
  /** Told when a thread fails outside any task (a worker file that does not load), e.g. to log it. */
  readonly onError?: (error: Error) => void;
}

/** Threads beyond the first that stay idle this long are stopped. */
const IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_HEAP_LIMIT_MB = 256;

/** What each of the worker's functions does, for OfflineTextTooLargeError. */
const WORK_NAMES: Record<string, string> = {
  runOfflineWorkerTask: 'an AI task',
  prepareChunksInWorker: 'chunking the document',
  buildGraphInWorker: "the document's graph",
  rankPassagesInWorker: 'ranking passages',
};

/**
 * The offline engine in worker threads (piscina). TextRank, key phrases and
 * the rest are synchronous: on a 2 MB text one task holds a thread for up to
 * a second, and a local /analyze runs several. On the event loop that froze
 * every other request of the gateway, health checks included, just when the
 * providers are down and every caller lands on the offline engine. Here the
 * event loop stays free, and with more than one thread the tasks of one
 * /analyze run side by side.
 *
 * Nothing starts until the first task. From then on one thread is always
 * kept: piscina replaces a stopped thread only up to `minThreads`, and with
 * none kept the tasks queued behind one whose caller left (which stops its
 * thread) or whose thread ran out of memory would wait for the next call.
 * A caller that leaves (`signal`) takes its task out of the queue, or stops
 * the thread that runs it.
 */
export class OfflineWorkerPool implements OfflineTaskRunner {
  private pool?: PiscinaModule.Piscina;
  private closed = false;

  constructor(private readonly options: OfflineWorkerPoolOptions) {
    // Threads start on first use; a missing file must stop start-up, not fail every task later.
    if (!existsSync(options.workerFile)) {
      throw new Error(
        `the offline engine's worker file ${options.workerFile} is missing: it is built next to main.js`,
      );
    }
  }

  /** Threads running now. */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  async run<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
  ): Promise<OfflineTaskResult<T>> {
    const request: OfflineWorkerRequest = { task, input };
    const reply = await this.runNamed<OfflineWorkerReply>('runOfflineWorkerTask', request, signal);
    if (reply.ok) return reply.result as OfflineTaskResult<T>;
    const { reason, capableProviders } = reply.unsupported;
    throw new TaskUnsupportedError(reply.unsupported.task, reason, capableProviders);
  }

  /** A document's chunks and offline embeddings, computed in a thread. */
  prepareChunks(request: PrepareChunksRequest, signal?: AbortSignal): Promise<PreparedChunks> {
    return this.runNamed<PreparedChunks>('prepareChunksInWorker', request, signal);
  }

  /** A document's graph, built in a thread. */
  buildGraph(request: DocumentGraphRequest, signal?: AbortSignal): Promise<GraphDocument> {
    return this.runNamed<GraphDocument>('buildGraphInWorker', request, signal);
  }

  /** A document's passages that best answer a question, ranked in a thread. */
  rankPassages(request: RankPassagesRequest, signal?: AbortSignal): Promise<Chunk[]> {
    return this.runNamed<Chunk[]>('rankPassagesInWorker', request, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close({ force: true });
  }

  private async runNamed<R>(name: string, request: unknown, signal?: AbortSignal): Promise<R> {
    // piscina reopens a closed pool; a request still running after the drain must not.
    if (this.closed) throw new Error('the offline engine has shut down');
    try {
      return (await this.started().run(request, { name, signal })) as R;
    } catch (error) {
      // The text's doing, not the gateway's: piscina replaces the thread.
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new OfflineTextTooLargeError(WORK_NAMES[name] ?? name, this.heapLimitMb, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private get heapLimitMb(): number {
    return this.options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB;
  }

  private started(): PiscinaModule.Piscina {
    if (!this.pool) {
      // Loaded on first use: requiring piscina takes ~30 ms, which every
      // gateway start paid before, and one whose providers answer may never
      // need the offline engine.
      const { Piscina } = require('piscina') as typeof PiscinaModule;
      this.pool = new Piscina({
        filename: this.options.workerFile,
        minThreads: 1,
        maxThreads: this.options.threads ?? Math.min(4, Math.max(1, availableParallelism() - 1)),
        idleTimeout: IDLE_TIMEOUT_MS,
        resourceLimits: {
          maxOldGenerationSizeMb: this.heapLimitMb,
        },
      });
      // A thread that fails to start rejects the task it was given; piscina
      // also emits the error on the pool, where no listener would crash the process.
      this.pool.on('error', (error: Error) => this.options.onError?.(error));
    }
    return this.pool;
  }
}
