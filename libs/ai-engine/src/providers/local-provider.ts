import { answerFromContext } from '../offline/answer-from-context';
import { inlineOfflineTasks, type OfflineTaskRunner } from '../offline/offline-task-runner';
import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderReply } from './ai-provider';

export const OFFLINE_ENGINE_MODEL = 'docuthinker-offline-extractive-v1';

/** The built-in offline engine as the chain's last resort. */
export class LocalProvider implements AiProvider {
  readonly name = 'local' as const;
  readonly model = OFFLINE_ENGINE_MODEL;

  /** `tasks`: where the engine runs; a service passes an OfflineWorkerPool. */
  constructor(private readonly tasks: OfflineTaskRunner = inlineOfflineTasks) {}

  supports(): boolean {
    return true;
  }

  async runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
  ): Promise<ProviderReply<TaskOutputs[T]>> {
    const result = await this.tasks.run(task, input, signal);
    return {
      output: result.output,
      model: this.model,
      degraded: result.degraded,
      notes: result.notes,
    };
  }

  // Answers come from a handful of retrieved passages: quick enough for the event loop.
  async answer(request: AnswerRequest): Promise<ProviderReply<AnswerOutput>> {
    return { output: answerFromContext(request), model: this.model };
  }
}
