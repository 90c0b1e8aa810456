import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as PiscinaModule from 'piscina';
import { TaskUnsupportedError } from '../errors';
import type { AiTaskName, TaskInput } from '../tasks/task-types';
import type { OfflineTaskResult } from './offline-engine';
import type { OfflineTaskRunner } from './offline-task-runner';
import type { OfflineWorkerReply, OfflineWorkerRequest } from './offline-worker-task';

export interface OfflineWorkerPoolOptions {
  /** The built JavaScript file that exports `runOfflineWorkerTask`. */
  readonly workerFile: string;
  /** Worker threads at most; defaults to one less than the cores, between 1 and 4. */
  readonly threads?: number;
  /** Heap bound of each worker in MB; a task that outgrows it fails alone. */
  readonly heapLimitMb?: number;
}

/** Threads that stay idle this long are stopped: most hours a gateway with providers never uses them. */
const IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_HEAP_LIMIT_MB = 512;

/**
 * The offline engine in worker threads (piscina). TextRank, key phrases and
 * the rest are synchronous: on a 2 MB text one task holds a thread for up to
 * a second, and a local /analyze runs several. On the event loop that froze
 * every other request of the gateway, health checks included, just when the
 * providers are down and every caller lands on the offline engine. Here the
 * event loop stays free, and the tasks of one /analyze run side by side.
 *
 * A caller that leaves (`signal`) takes its task out of the queue, or stops
 * the thread that runs it; piscina starts a new one when needed.
 */
export class OfflineWorkerPool implements OfflineTaskRunner {
  private pool?: PiscinaModule.Piscina<OfflineWorkerRequest, OfflineWorkerReply>;

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
    const reply = await this.started().run({ task, input }, { signal });
    if (reply.ok) return reply.result as OfflineTaskResult<T>;
    const { reason, capableProviders } = reply.unsupported;
    throw new TaskUnsupportedError(reply.unsupported.task, reason, capableProviders);
  }

  async close(): Promise<void> {
    await this.pool?.close({ force: true });
  }

  private started(): PiscinaModule.Piscina<OfflineWorkerRequest, OfflineWorkerReply> {
    if (!this.pool) {
      // Loaded on first use: requiring piscina takes ~30 ms, which every
      // gateway start paid before, and one whose providers answer may never
      // need the offline engine.
      const { Piscina } = require('piscina') as typeof PiscinaModule;
      this.pool = new Piscina({
        filename: this.options.workerFile,
        name: 'runOfflineWorkerTask',
        minThreads: 0,
        maxThreads: this.options.threads ?? Math.min(4, Math.max(1, availableParallelism() - 1)),
        idleTimeout: IDLE_TIMEOUT_MS,
        resourceLimits: {
          maxOldGenerationSizeMb: this.options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB,
        },
      });
    }
    return this.pool;
  }
}
