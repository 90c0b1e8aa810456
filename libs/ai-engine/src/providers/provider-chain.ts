import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { TaskUnsupportedError } from '../errors';
import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply, TokenUsage } from './ai-provider';
import { ProviderError } from './provider-error';

export interface ResiliencePolicy {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Extra attempts after a retryable failure (429, 5xx, network, timeout). */
  readonly retries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Consecutive failures that open the circuit. */
  readonly breakerThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly halfOpenAfterMs: number;
}

export const DEFAULT_RESILIENCE: ResiliencePolicy = {
  timeoutMs: 30000,
  retries: 2,
  initialBackoffMs: 200,
  maxBackoffMs: 5000,
  breakerThreshold: 3,
  halfOpenAfterMs: 30000,
};

/**
 * The whole chain's budget for one call. The ALB closes a connection idle for
 * 60 s; at 30 s × 3 attempts one hung provider would hold a request ~90 s and
 * the client would get the ALB's 504 instead of the offline engine's answer.
 */
export const DEFAULT_DEADLINE_MS = 45000;

export interface ProviderChainOptions {
  readonly resilience?: Partial<ResiliencePolicy>;
  /**
   * Time budget of one call across the remote providers; when it runs out the
   * remote attempt in flight is abandoned, the remaining remote providers are
   * skipped and the offline engine (if in the chain) answers, degraded.
   */
  readonly deadlineMs?: number;
  /** Per-provider overrides, e.g. a longer timeout for the upstream container. */
  readonly perProvider?: Partial<Record<ProviderName, Partial<ResiliencePolicy>>>;
  /** Per-task provider order; providers not in the chain are ignored. */
  readonly taskProviders?: Partial<Record<AiTaskName | 'answer', readonly ProviderName[]>>;
  /** Called after every provider attempt, e.g. for metrics and logs. */
  readonly onAttempt?: (attempt: ProviderAttempt) => void;
}

export type AttemptOutcome =
  | 'success'
  | 'failed'
  | 'timeout'
  | 'circuit-open'
  | 'unsupported'
  /** The chain's deadline ran out during this provider's turn or before it. */
  | 'deadline';

export interface ProviderAttempt {
  readonly provider: ProviderName;
  readonly task: AiTaskName | 'answer';
  readonly outcome: AttemptOutcome;
  readonly durationMs: number;
  readonly error?: string;
  readonly status?: number;
}

export interface ChainResult<T> {
  readonly output: T;
  readonly provider: ProviderName;
  readonly model: string;
  /** The offline engine answered after others were tried, or the answer is knowingly partial. */
  readonly degraded: boolean;
  readonly usage?: TokenUsage;
  readonly notes: readonly string[];
  readonly attempts: readonly ProviderAttempt[];
}

export type CircuitStatus = 'closed' | 'open' | 'half-open' | 'isolated';

/** Every provider failed; `attempts` says how. */
export class ProvidersExhaustedError extends Error {
  override readonly name = 'ProvidersExhaustedError';
  readonly code = 'DT_ERR_PROVIDERS_UNAVAILABLE';
  constructor(
    readonly task: AiTaskName | 'answer',
    readonly attempts: readonly ProviderAttempt[],
  ) {
    super(
      `${task}: no provider answered (${attempts.map((a) => `${a.provider}: ${a.outcome}${a.error ? ` – ${a.error}` : ''}`).join('; ')})`,
    );
  }
}

interface GuardedProvider {
  readonly provider: AiProvider;
  readonly breaker?: CircuitBreakerPolicy;
  readonly policy?: IPolicy;
}

const CIRCUIT_STATUS: Record<CircuitState, CircuitStatus> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const REMOTE_PROVIDERS: readonly ProviderName[] = ['upstream', 'openai', 'anthropic', 'google'];

function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

/** The chain's deadline passed: not the provider's failure, so neither retried nor counted. */
class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Settles with `work`, or rejects when `deadline` aborts first (a retry
 * backoff does not watch the signal, so the chain must not wait for it).
 */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(new DeadlineExceededError('deadline passed'));
  return new Promise<T>((resolve, reject) => {
    const onDeadline = () => reject(new DeadlineExceededError('deadline passed'));
    deadline.addEventListener('abort', onDeadline, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onDeadline));
  });
}

/**
 * Runs a task on the first provider that answers. Each remote provider sits
 * behind its own cockatiel policy: retry (only retryable failures, with
 * exponential backoff) around a circuit breaker around a per-attempt timeout.
 * A failure, an open circuit or an unsupported task falls through to the next
 * provider; the offline engine at the end is never guarded because it has no
 * remote dependency to protect. One deadline bounds each call across all the
 * remote providers, so the offline engine still answers in time.
 */
export class ProviderChain {
  private readonly guarded: readonly GuardedProvider[];

  constructor(
    providers: readonly AiProvider[],
    private readonly options: ProviderChainOptions = {},
  ) {
    if (providers.length === 0) throw new Error('a provider chain needs at least one provider');
    this.guarded = providers.map((provider) => {
      if (provider.name === 'local') return { provider };
      const settings = {
        ...DEFAULT_RESILIENCE,
        ...options.resilience,
        ...options.perProvider?.[provider.name],
      };
      const retryPolicy = retry(
        handleWhen(
          (error) => (error instanceof ProviderError && error.retryable) || isTimeout(error),
        ),
        {
          maxAttempts: settings.retries,
          backoff: new ExponentialBackoff({
            initialDelay: settings.initialBackoffMs,
            maxDelay: settings.maxBackoffMs,
          }),
        },
      );
      const breaker = circuitBreaker(
        handleWhen(
          (error) =>
            (error instanceof ProviderError && error.countsAgainstHealth) || isTimeout(error),
        ),
        {
          halfOpenAfter: settings.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(settings.breakerThreshold),
        },
      );
      const policy = wrap(
        retryPolicy,
        breaker,
        timeout(settings.timeoutMs, TimeoutStrategy.Aggressive),
      );
      return { provider, breaker, policy };
    });
  }

  get providerNames(): ProviderName[] {
    return this.guarded.map(({ provider }) => provider.name);
  }

  circuits(): Array<{ provider: ProviderName; model: string; state: CircuitStatus }> {
    return this.guarded.map(({ provider, breaker }) => ({
      provider: provider.name,
      model: provider.model,
      state: breaker ? CIRCUIT_STATUS[breaker.state] : 'closed',
    }));
  }

  runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
  ): Promise<ChainResult<TaskOutputs[T]>> {
    return this.execute(
      task,
      (provider, attemptSignal) => provider.runTask(task, input, attemptSignal),
      signal,
    );
  }

  answer(request: AnswerRequest, signal?: AbortSignal): Promise<ChainResult<AnswerOutput>> {
    return this.execute(
      'answer',
      (provider, attemptSignal) => provider.answer(request, attemptSignal),
      signal,
    );
  }

  private order(task: AiTaskName | 'answer'): GuardedProvider[] {
    const preferred = this.options.taskProviders?.[task];
    if (!preferred) return [...this.guarded];
    return preferred.flatMap((name) =>
      this.guarded.filter(({ provider }) => provider.name === name),
    );
  }

  private async execute<R>(
    task: AiTaskName | 'answer',
    call: (provider: AiProvider, signal: AbortSignal) => Promise<ProviderReply<R>>,
    signal?: AbortSignal,
  ): Promise<ChainResult<R>> {
    const attempts: ProviderAttempt[] = [];
    const record = (attempt: ProviderAttempt) => {
      attempts.push(attempt);
      this.options.onAttempt?.(attempt);
    };
    let unsupported: TaskUnsupportedError | undefined;
    const deadline = AbortSignal.timeout(this.options.deadlineMs ?? DEFAULT_DEADLINE_MS);

    for (const { provider, policy } of this.order(task)) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      if (!provider.supports(task)) {
        record({ provider: provider.name, task, outcome: 'unsupported', durationMs: 0 });
        continue;
      }
      if (policy && deadline.aborted) {
        record({ provider: provider.name, task, outcome: 'deadline', durationMs: 0 });
        continue;
      }
      try {
        const reply = policy
          ? await beforeDeadline(
              policy.execute(
                ({ signal: attemptSignal }) =>
                  call(provider, AbortSignal.any([attemptSignal, deadline])),
                signal,
              ),
              deadline,
            )
          : await call(provider, signal ?? new AbortController().signal);
        record({ provider: provider.name, task, outcome: 'success', durationMs: elapsed() });
        const fellBack =
          provider.name === 'local' && attempts.some((attempt) => attempt.provider !== 'local');
        return {
          output: reply.output,
          provider: provider.name,
          model: reply.model,
          degraded: fellBack || reply.degraded === true,
          usage: reply.usage,
          notes: reply.notes ?? [],
          attempts,
        };
      } catch (error) {
        if (signal?.aborted) throw error;
        if (error instanceof TaskUnsupportedError) {
          unsupported = error;
          record({
            provider: provider.name,
            task,
            outcome: 'unsupported',
            durationMs: elapsed(),
            error: error.message,
          });
          continue;
        }
        const outcome: AttemptOutcome =
          policy && deadline.aborted
            ? 'deadline'
            : error instanceof BrokenCircuitError
              ? 'circuit-open'
              : isTimeout(error)
                ? 'timeout'
                : 'failed';
        record({
          provider: provider.name,
          task,
          outcome,
          durationMs: elapsed(),
          error: (error as Error).message,
          status: error instanceof ProviderError ? error.status : undefined,
        });
        if (!policy) throw error;
      }
    }
    if (attempts.every((attempt) => attempt.outcome === 'unsupported')) {
      throw new TaskUnsupportedError(
        task,
        unsupported?.reason ?? 'no configured provider offers it',
        unsupported?.capableProviders.length
          ? unsupported.capableProviders
          : REMOTE_PROVIDERS.filter((name) => name !== 'upstream'),
      );
    }
    throw new ProvidersExhaustedError(task, attempts);
  }
}
