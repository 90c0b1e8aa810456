import type { AiTaskName, TaskInput } from '../tasks/task-types';
import { runOfflineTask, type OfflineTaskResult } from './offline-engine';

/** Where the offline engine's tasks run: on the caller's thread, or in worker threads. */
export interface OfflineTaskRunner {
  run<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
  ): Promise<OfflineTaskResult<T>>;
  close(): Promise<void>;
}

/**
 * On the caller's thread: what tests and library users get by default. A
 * service should not use it for large texts, which keep its event loop busy
 * for up to a second (see OfflineWorkerPool).
 */
export const inlineOfflineTasks: OfflineTaskRunner = {
  run: async (task, input) => runOfflineTask(task, input),
  close: async () => undefined,
};
