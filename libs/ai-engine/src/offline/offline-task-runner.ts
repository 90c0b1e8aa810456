import type { GraphDocument } from '../graph/knowledge-graph';
import {
  documentGraphOf,
  prepareChunks,
  type DocumentGraphRequest,
  type PrepareChunksRequest,
  type PreparedChunks,
} from '../retrieval/prepare-index-document';
import type { Chunk } from '../retrieval/chunker';
import { rankPassages, type RankPassagesRequest } from '../retrieval/rank-passages';
import type { AiTaskName, TaskInput } from '../tasks/task-types';
import { runOfflineTask, type OfflineTaskResult } from './offline-engine';

/**
 * Where the CPU-bound work runs, the offline engine's tasks, the
 * preparation of a document for the indexes and the ranking of a document's
 * passages for a question: on the caller's thread, or in worker threads.
 */
export interface OfflineTaskRunner {
  run<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
  ): Promise<OfflineTaskResult<T>>;
  prepareChunks(request: PrepareChunksRequest, signal?: AbortSignal): Promise<PreparedChunks>;
  buildGraph(request: DocumentGraphRequest, signal?: AbortSignal): Promise<GraphDocument>;
  rankPassages(request: RankPassagesRequest, signal?: AbortSignal): Promise<Chunk[]>;
  close(): Promise<void>;
}

/**
 * On the caller's thread: what tests and library users get by default. A
 * service should not use it for large texts, which keep its event loop busy
 * for up to a second (see OfflineWorkerPool).
 */
export const inlineOfflineTasks: OfflineTaskRunner = {
  run: async (task, input) => runOfflineTask(task, input),
  prepareChunks: async (request) => prepareChunks(request),
  buildGraph: async (request) => documentGraphOf(request),
  rankPassages: async (request) => rankPassages(request),
  close: async () => undefined,
};
