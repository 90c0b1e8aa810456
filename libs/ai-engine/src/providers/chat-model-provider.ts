import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply, TokenUsage } from './ai-provider';
import { parseTaskOutput } from './parse-task-output';
import { parseAnswer, StreamedAnswer } from './streamed-answer';
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

/** How a streamed completion ended: a Completion without its text, which came in pieces. */
export type CompletionEnd = Omit<Completion, 'text'>;

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
  completion: CompletionEnd,
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

  /**
   * The completion's text as the model writes it: rejects, like `complete`,
   * when the call fails before the model's first piece of text arrives, and
   * throws from the generator when the stream fails after it.
   */
  protected abstract streamCompletion(
    prompt: Prompt,
    signal: AbortSignal,
  ): AsyncGenerator<string, CompletionEnd, undefined>;

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

  /**
   * The answer as the model writes it, its citation markers renumbered as
   * they settle (see StreamedAnswer): pieces of text, then the whole reply.
   */
  async *streamAnswer(
    request: AnswerRequest,
    signal: AbortSignal,
  ): AsyncGenerator<string, ProviderReply<AnswerOutput>, undefined> {
    const answer = new StreamedAnswer(this.name, request.passages.length);
    const completion = this.streamCompletion(answerPrompt(request), signal);
    for (;;) {
      const step = await completion.next();
      if (step.done) {
        const { rest, output } = answer.finish();
        if (rest) yield rest;
        return {
          output,
          model: step.value.model ?? this.model,
          usage: step.value.usage,
          ...shortfalls(step.value),
        };
      }
      const settled = answer.push(step.value);
      if (settled) yield settled;
    }
  }
}
