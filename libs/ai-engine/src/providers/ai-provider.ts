import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';

export const PROVIDER_NAMES = ['upstream', 'openai', 'anthropic', 'google', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface TokenUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

export interface ProviderReply<T> {
  readonly output: T;
  readonly model: string;
  readonly usage?: TokenUsage;
  /** The provider knowingly answered with less than was asked. */
  readonly degraded?: boolean;
  readonly notes?: readonly string[];
}

/**
 * A source of AI answers. Remote providers throw `ProviderError` on failure
 * and `TaskUnsupportedError` for what they cannot do; `signal` aborts the call
 * when the chain's timeout fires.
 */
export interface AiProvider {
  readonly name: ProviderName;
  readonly model: string;
  supports(task: AiTaskName | 'answer'): boolean;
  runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal: AbortSignal,
  ): Promise<ProviderReply<TaskOutputs[T]>>;
  answer(request: AnswerRequest, signal: AbortSignal): Promise<ProviderReply<AnswerOutput>>;
  /**
   * The answer in pieces as the model writes it, then the whole reply; only
   * providers that stream have it (the chain asks the others for `answer`).
   * Its first step rejects as `answer` would when the call fails before any
   * text; a failure after it is thrown mid-stream.
   */
  streamAnswer?(
    request: AnswerRequest,
    signal: AbortSignal,
  ): AsyncGenerator<string, ProviderReply<AnswerOutput>, undefined>;
  /**
   * The failure to report when the provider could send nothing now (every
   * API key resting), or undefined when it could. The provider's guard asks
   * before each attempt goes to the circuit breaker, which must judge the
   * provider only by calls that were sent.
   */
  unusableNow?(): Error | undefined;
}
