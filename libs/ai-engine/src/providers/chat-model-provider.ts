import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply, TokenUsage } from './ai-provider';
import { parseAnswer, parseTaskOutput } from './parse-task-output';
import {
  answerPrompt,
  documentTruncated,
  MAX_PROMPT_DOCUMENT_CHARS,
  taskPrompt,
  type Prompt,
} from './task-prompts';

export interface Completion {
  readonly text: string;
  /** The model stopped at its output limit: the text ends where it was cut. */
  readonly truncated?: boolean;
  readonly usage?: TokenUsage;
  /** The model the answer names, when it names one (see answered-model.ts). */
  readonly model?: string;
}

const CUT_ANSWER_NOTE = "the model's answer was cut off at its output limit";
const CUT_DOCUMENT_NOTE = `only the document's first ${MAX_PROMPT_DOCUMENT_CHARS.toLocaleString('en')} characters were sent to the model`;

/**
 * What an answer knowingly lacks. An answer cut at the output limit is
 * degraded: asked again it may come whole, so it must not be cached. One
 * written from the start of a long document is whole for what the model was
 * given, and the same every time: a note only, or every LLM answer on a long
 * document would count as a fallback (never cached by the backend, its
 * summary never stored).
 */
function shortfalls(
  completion: Completion,
  input?: TaskInput,
): Pick<ProviderReply<unknown>, 'degraded' | 'notes'> {
  const notes = [
    ...(completion.truncated ? [CUT_ANSWER_NOTE] : []),
    ...(input && documentTruncated(input) ? [CUT_DOCUMENT_NOTE] : []),
  ];
  if (notes.length === 0) return {};
  return completion.truncated ? { degraded: true, notes } : { notes };
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
      output: parseTaskOutput(this.name, task, completion.text, input, completion.truncated),
      model: completion.model ?? this.model,
      usage: completion.usage,
      ...shortfalls(completion, input),
    };
  }

  async answer(request: AnswerRequest, signal: AbortSignal): Promise<ProviderReply<AnswerOutput>> {
    const completion = await this.complete(answerPrompt(request), signal);
    return {
      output: parseAnswer(this.name, completion.text, request.passages.length),
      model: completion.model ?? this.model,
      usage: completion.usage,
      ...shortfalls(completion),
    };
  }
}
