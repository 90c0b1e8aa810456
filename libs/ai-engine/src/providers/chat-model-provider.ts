import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply, TokenUsage } from './ai-provider';
import { parseAnswer, parseTaskOutput } from './parse-task-output';
import { answerPrompt, taskPrompt, type Prompt } from './task-prompts';

export interface Completion {
  readonly text: string;
  readonly usage?: TokenUsage;
}

/**
 * Base of the LLM providers: every task is a prompt and a parse of the reply;
 * subclasses only speak their API's wire format.
 */
export abstract class ChatModelProvider implements AiProvider {
  abstract readonly name: ProviderName;
  abstract readonly model: string;

  protected abstract complete(prompt: Prompt, signal: AbortSignal): Promise<Completion>;

  supports(): boolean {
    return true;
  }

  async runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal: AbortSignal,
  ): Promise<ProviderReply<TaskOutputs[T]>> {
    const completion = await this.complete(taskPrompt(task, input), signal);
    return {
      output: parseTaskOutput(this.name, task, completion.text, input),
      model: this.model,
      usage: completion.usage,
    };
  }

  async answer(request: AnswerRequest, signal: AbortSignal): Promise<ProviderReply<AnswerOutput>> {
    const completion = await this.complete(answerPrompt(request), signal);
    return {
      output: parseAnswer(this.name, completion.text, request.passages.length),
      model: this.model,
      usage: completion.usage,
    };
  }
}
