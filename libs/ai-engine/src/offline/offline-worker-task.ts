import { TaskUnsupportedError } from '../errors';
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

export interface OfflineWorkerRequest {
  readonly task: AiTaskName;
  readonly input: TaskInput;
}

/**
 * What crosses back from a worker thread. Errors lose their class on the way
 * (structured clone keeps only message and name), so a refusal travels as
 * data and is rebuilt on the other side as the TaskUnsupportedError it was.
 */
export type OfflineWorkerReply =
  | { readonly ok: true; readonly result: OfflineTaskResult<AiTaskName> }
  | {
      readonly ok: false;
      readonly unsupported: Pick<TaskUnsupportedError, 'task' | 'reason' | 'capableProviders'>;
    };

/** The function a worker thread runs for each task (OfflineWorkerPool.run). */
export function runOfflineWorkerTask({ task, input }: OfflineWorkerRequest): OfflineWorkerReply {
  try {
    return { ok: true, result: runOfflineTask(task, input) };
  } catch (error) {
    if (!(error instanceof TaskUnsupportedError)) throw error;
    const { reason, capableProviders } = error;
    return { ok: false, unsupported: { task: error.task, reason, capableProviders } };
  }
}

/** What a worker thread runs to chunk and embed a document (OfflineWorkerPool.prepareChunks). */
export function prepareChunksInWorker(request: PrepareChunksRequest): PreparedChunks {
  return prepareChunks(request);
}

/** What a worker thread runs to build a document's graph (OfflineWorkerPool.buildGraph). */
export function buildGraphInWorker(request: DocumentGraphRequest): GraphDocument {
  return documentGraphOf(request);
}

/** What a worker thread runs to rank a document's passages for a question (OfflineWorkerPool.rankPassages). */
export function rankPassagesInWorker(request: RankPassagesRequest): Chunk[] {
  return rankPassages(request);
}
