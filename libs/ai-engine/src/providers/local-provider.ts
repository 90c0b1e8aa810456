import { answerFromContext } from '../offline/answer-from-context';
import { runOfflineTask } from '../offline/offline-engine';
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

  supports(): boolean {
    return true;
  }

  async runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
  ): Promise<ProviderReply<TaskOutputs[T]>> {
    const result = runOfflineTask(task, input);
    return {
      output: result.output,
      model: this.model,
      degraded: result.degraded,
      notes: result.notes,
    };
  }

  async answer(request: AnswerRequest): Promise<ProviderReply<AnswerOutput>> {
    return { output: answerFromContext(request), model: this.model };
  }
}
