import { TaskUnsupportedError } from '../errors';
import {
  prepareIndexDocument,
  type PrepareIndexRequest,
  type PreparedDocument,
} from '../retrieval/prepare-index-document';
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

/** The function a worker thread runs to prepare a document for the indexes (OfflineWorkerPool.prepareIndex). */
export function prepareIndexInWorker(request: PrepareIndexRequest): PreparedDocument {
  return prepareIndexDocument(request);
}
