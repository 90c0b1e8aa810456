import { BrokenCircuitError } from 'cockatiel';
import type { CircuitStatus } from './circuit-status';
import { TaskUnsupportedError } from '../errors';
import { capableProvidersFor } from '../offline/generative-providers';
import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply, TokenUsage } from './ai-provider';
import { AnswerPieces } from './answer-pieces';
import { MIN_ATTEMPT_MS, turnBudgetMs } from './call-budget';
import { wellFormedOutput } from '../text/well-formed-output';
import { ClientAbortedError } from './client-abort';
import { ProviderError, type ProviderFailureKind } from './provider-error';
import {
  isTimeout,
  ProviderGuard,
  type CircuitChange,
  type ResiliencePolicy,
} from './provider-guard';

export type { ResiliencePolicy } from './provider-guard';

export const DEFAULT_RESILIENCE: ResiliencePolicy = {
  timeoutMs: 30000,
  retries: 2,
  initialBackoffMs: 200,
  maxBackoffMs: 5000,
  // Calls, each after its retries: those absorb a passing fault, so one call
  // that used them all may still be one unlucky moment (a deploy, one bad
  // host behind the provider's balancer), and that must not take the
  // provider from every user for half a minute. Three in a row with no
  // answer between them are the provider. Under load the calls in flight
  // together fail together, so the circuit opens within the first moments
  // of an outage; a hung provider costs three callers one turn each, as it
  // did when attempts were counted (a hung attempt leaves no time to retry).
  breakerThreshold: 3,
  halfOpenAfterMs: 30000,
};

/**
 * The whole chain's budget for one call. The backend waits 50 s for the
 * gateway and a deploy's deregistration delay is 60 s; at 30 s × 3 attempts one
 * hung provider would hold a request ~90 s, and the caller would give up
 * before the offline engine's answer came (DOCUTHINKER_AI_DEADLINE_MS).
 */
export const DEFAULT_DEADLINE_MS = 45000;

export interface ProviderChainOptions {
  readonly resilience?: Partial<ResiliencePolicy>;
  /**
   * Time budget of one call across the remote providers. Each remote provider
   * gets a share of it for its turn (see turnBudgetMs); an attempt cut at the
   * end of its turn is that provider's timeout. The offline engine (if in the
   * chain) answers after the remote providers, degraded.
   */
  readonly deadlineMs?: number;
  /** Per-provider overrides, e.g. a longer timeout for the upstream container. */
  readonly perProvider?: Partial<Record<ProviderName, Partial<ResiliencePolicy>>>;
  /** Per-task provider order; providers not in the chain are ignored. */
  readonly taskProviders?: Partial<Record<AiTaskName | 'answer', readonly ProviderName[]>>;
  /** Called after every provider attempt, e.g. for metrics and logs. */
  readonly onAttempt?: (attempt: ProviderAttempt) => void;
  /**
   * Called once for a call that a provider served after others before it
   * were asked and failed, e.g. to log each failure. `caller` is the signal
   * the call was made with: a caller that makes one per request (the gateway)
   * can tell whose call it was.
   */
  readonly onFailover?: (failover: Failover, caller: AbortSignal | undefined) => void;
  /** Called when a provider's circuit opens or closes, e.g. to log it once rather than per call. */
  readonly onCircuitChange?: (change: ProviderCircuitChange) => void;
}

export interface ProviderCircuitChange extends CircuitChange {
  readonly provider: ProviderName;
}

/** A call served after providers before it failed. */
export interface Failover {
  readonly task: AiTaskName | 'answer';
  readonly servedBy: ProviderName;
  /**
   * The providers that were asked and failed, in order. Those passed over
   * without being asked (open circuit, every key resting, no time left) are
   * not among them: the circuit's and the keys' own changes say why.
   */
  readonly failed: readonly ProviderAttempt[];
}

export type AttemptOutcome =
  | 'success'
  | 'failed'
  | 'timeout'
  | 'circuit-open'
  | 'unsupported'
  /** The chain's deadline left too little time for this provider's turn; it was not asked. */
  | 'deadline';

export interface ProviderAttempt {
  readonly provider: ProviderName;
  readonly task: AiTaskName | 'answer';
  readonly outcome: AttemptOutcome;
  readonly durationMs: number;
  /** The failure's message: this code's words, never the provider's error text (see ProviderError). */
  readonly error?: string;
  /** How a remote provider failed, when it said (see ProviderError). */
  readonly kind?: ProviderFailureKind;
  readonly status?: number;
  /** The API's error code, when it named a known one (see ProviderError.code). */
  readonly code?: string;
  /**
   * How long until this provider may answer again, when known: it said (a
   * 429's Retry-After), its keys rest, or its circuit is open.
   */
  readonly retryAfterMs?: number;
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

/** A provider of the chain as readiness reports it. */
export interface ProviderStatus {
  readonly provider: ProviderName;
  readonly model: string;
  readonly state: CircuitStatus;
  /**
   * Only when every API key of the provider rests (after 429 or a timeout)
   * or is quarantined (after 401/403): the circuit may be closed, but each
   * call passes the provider over without asking it.
   */
  readonly keys?: 'resting';
  /** Only while the provider is passed over (keys resting, circuit open): for how long, at least. */
  readonly retryAfterMs?: number;
}

/** How one call may be served. */
export interface ChainCallOptions {
  /** false: only remote providers are asked, never the offline engine (default true). */
  readonly offline?: boolean;
  /**
   * This call's deadline instead of the chain's: what is left of a request's
   * own, which something before the call used part of. With too little left,
   * the remote providers are not asked, and the offline engine answers.
   */
  readonly deadlineMs?: number;
  /**
   * The calls one request makes at once (the parts of an /analyze): each
   * provider's circuit counts only the first of them to reach it, and the
   * others run without counting (they are refused while it is not closed).
   * Found in an exploratory test: one analysis, five calls meeting one
   * passing fault, opened the provider's circuit for every user.
   */
  readonly countedOnce?: CountedOnce;
}

/** What `execute` is told of a streamed answer (see ProviderChain.streamAnswer). */
interface StreamedCall extends ChainCallOptions {
  /**
   * When the answer's latest piece went to its reader; undefined before the
   * first. Once it has begun, the provider writing it is neither retried nor
   * passed over, which would write the answer a second time after the first
   * one's start, and the rest of the call's deadline is its to finish in.
   */
  readonly lastPieceAt?: () => number | undefined;
}

/** An answer that comes as its provider writes it. */
export interface AnswerStream {
  /** The provider writing it: the chain's failover is over. */
  readonly provider: ProviderName;
  /**
   * The answer's text in pieces, then the chain's result. Throws
   * AnswerInterruptedError when the provider fails mid-answer, and
   * ClientAbortedError when the caller leaves.
   */
  readonly pieces: AsyncGenerator<string, ChainResult<AnswerOutput>, undefined>;
}

/** The providers a group of calls has already counted against (ChainCallOptions.countedOnce). */
export class CountedOnce {
  private readonly counted = new Set<ProviderName>();

  /** True the first time a call of the group reaches `provider`. */
  take(provider: ProviderName): boolean {
    if (this.counted.has(provider)) return false;
    this.counted.add(provider);
    return true;
  }
}

/**
 * How one attempt ended, from its structured fields only (`openai: failed
 * (rejected, HTTP 400, invalid_request_error)`): the message of an error that
 * is logged, where an error's text would be one more place for a provider's
 * words to slip in.
 */
function attemptSummary({ provider, outcome, kind, status, code }: ProviderAttempt): string {
  const how = [kind, status === undefined ? undefined : `HTTP ${status}`, code].filter(
    (part) => part !== undefined,
  );
  return `${provider}: ${outcome}${how.length > 0 ? ` (${how.join(', ')})` : ''}`;
}

/** Every provider failed; `attempts` says how. */
export class ProvidersExhaustedError extends Error {
  override readonly name = 'ProvidersExhaustedError';
  /** A field, not a getter: the log's error serialiser copies own fields only. */
  readonly code: 'DT_ERR_PROVIDERS_REFUSED' | 'DT_ERR_PROVIDERS_UNAVAILABLE';
  constructor(
    readonly task: AiTaskName | 'answer',
    readonly attempts: readonly ProviderAttempt[],
  ) {
    super(`${task}: no provider answered (${attempts.map(attemptSummary).join('; ')})`);
    this.code = this.refusedByEvery ? 'DT_ERR_PROVIDERS_REFUSED' : 'DT_ERR_PROVIDERS_UNAVAILABLE';
  }

  /**
   * How long until a provider may answer again: the soonest of the failed
   * providers' hints, when every one of them gave one (e.g. all keys resting
   * after 429 or quarantined after 401/403, an open circuit). Undefined when
   * any failure says nothing of when it ends (a 5xx or a timeout that left
   * the circuit closed, a circuit whose probe is under way).
   */
  get retryAfterMs(): number | undefined {
    const failed = this.attempts.filter((attempt) => attempt.outcome !== 'unsupported');
    const hints = failed.flatMap((attempt) =>
      attempt.retryAfterMs === undefined ? [] : [attempt.retryAfterMs],
    );
    if (hints.length === 0 || hints.length < failed.length) return undefined;
    return Math.min(...hints);
  }

  /**
   * Every provider that was asked refused this request (400, 422: a document
   * too long for its context window, say): asked again, each would refuse it
   * again, so this is not an outage to wait out.
   */
  get refusedByEvery(): boolean {
    const failed = this.attempts.filter((attempt) => attempt.outcome !== 'unsupported');
    return failed.length > 0 && failed.every((attempt) => attempt.kind === 'rejected');
  }
}

/**
 * The provider writing a streamed answer failed after its first piece went
 * out. Another provider cannot take over (its answer would not continue the
 * first one's), so the answer ends incomplete; `attempt` says how it failed.
 */
export class AnswerInterruptedError extends Error {
  override readonly name = 'AnswerInterruptedError';
  readonly code = 'DT_ERR_ANSWER_INTERRUPTED';
  constructor(readonly attempt: ProviderAttempt) {
    super(`answer: ${attemptSummary(attempt)} after its answer began`);
  }
}

interface GuardedProvider {
  readonly provider: AiProvider;
  /** Remote providers only: the offline engine has no remote dependency to protect. */
  readonly guard?: ProviderGuard;
}

/** Outcomes of a provider that should have answered and did not: an answer after them is degraded. */
const FAILED_OUTCOMES: ReadonlySet<AttemptOutcome> = new Set([
  'failed',
  'timeout',
  'circuit-open',
  'deadline',
]);

function outcomeOf(error: unknown): AttemptOutcome {
  if (error instanceof BrokenCircuitError) return 'circuit-open';
  return isTimeout(error) ? 'timeout' : 'failed';
}

/**
 * How long until a failed provider may answer again: the longer of its own
 * hint and its circuit's remaining open time. The circuit's counts for the
 * call refused by it and for the call whose failure opened it alike.
 */
function retryAfterOf(error: unknown, guard: ProviderGuard | undefined): number | undefined {
  const own = error instanceof ProviderError ? error.retryAfterMs : undefined;
  const circuit = guard?.openForMs;
  if (own === undefined) return circuit;
  return circuit === undefined ? own : Math.max(own, circuit);
}

/** A provider that was asked and failed: not one passed over before anything was sent. */
function wasAskedAndFailed(attempt: ProviderAttempt): boolean {
  return (
    (attempt.outcome === 'failed' || attempt.outcome === 'timeout') &&
    attempt.kind !== 'cooling-down'
  );
}

/**
 * Runs a task on the first provider that answers. Each remote provider sits
 * behind its own cockatiel policies (ProviderGuard): a circuit breaker, which
 * counts calls, around a retry (only retryable failures, with exponential
 * backoff) around a per-attempt timeout. A failure, an open circuit or an
 * unsupported task falls through to the next provider; the offline engine at
 * the end is never guarded because it has no remote dependency to protect.
 * One deadline bounds each call across all the remote providers, shared out
 * so that each of them gets time to answer (turnBudgetMs), and the offline
 * engine still answers in time. A caller that aborts ends the call: no
 * further provider is asked.
 */
export class ProviderChain {
  private readonly guarded: readonly GuardedProvider[];

  constructor(
    providers: readonly AiProvider[],
    private readonly options: ProviderChainOptions = {},
    /** Circuits another chain already keeps for some of `providers` (see `without`). */
    sharedGuards?: ReadonlyMap<AiProvider, ProviderGuard>,
  ) {
    if (providers.length === 0) throw new Error('a provider chain needs at least one provider');
    this.guarded = providers.map((provider) => {
      if (provider.name === 'local') return { provider };
      const shared = sharedGuards?.get(provider);
      if (shared) return { provider, guard: shared };
      const settings = {
        ...DEFAULT_RESILIENCE,
        ...options.resilience,
        ...options.perProvider?.[provider.name],
      };
      const onCircuitChange = options.onCircuitChange;
      return {
        provider,
        guard: new ProviderGuard(
          settings,
          onCircuitChange && ((change) => onCircuitChange({ provider: provider.name, ...change })),
        ),
      };
    });
  }

  /**
   * This chain without the provider `name`, asking the others through the
   * same circuits: its calls count, and are refused, as this chain's own
   * are, and /ready reports them. Found in an exploratory test: the /analyze
   * fallback's chain kept circuits of its own, which nothing reported and
   * which let it call a provider whose circuit /ready showed open.
   * Undefined when no other provider is left.
   */
  without(
    name: ProviderName,
    taskProviders?: ProviderChainOptions['taskProviders'],
  ): ProviderChain | undefined {
    const rest = this.guarded.filter(({ provider }) => provider.name !== name);
    if (rest.length === 0) return undefined;
    const guards = new Map<AiProvider, ProviderGuard>();
    for (const { provider, guard } of rest) if (guard) guards.set(provider, guard);
    return new ProviderChain(
      rest.map(({ provider }) => provider),
      { ...this.options, taskProviders },
      guards,
    );
  }

  get providerNames(): ProviderName[] {
    return this.guarded.map(({ provider }) => provider.name);
  }

  circuits(): ProviderStatus[] {
    return this.guarded.map(({ provider, guard }) => {
      const idle = provider.unusableNow?.();
      const state = guard?.status(idle !== undefined) ?? 'closed';
      const keysRestMs = idle instanceof ProviderError ? idle.retryAfterMs : undefined;
      const waitMs = Math.max(keysRestMs ?? 0, guard?.openForMs ?? 0);
      return {
        provider: provider.name,
        model: provider.model,
        state,
        ...(idle ? { keys: 'resting' as const } : {}),
        ...(waitMs > 0 ? { retryAfterMs: Math.ceil(waitMs) } : {}),
      };
    });
  }

  /** `call.offline` false: the offline engine is left out, and only remote providers are asked. */
  runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
    call: ChainCallOptions = {},
  ): Promise<ChainResult<TaskOutputs[T]>> {
    return this.execute(
      task,
      (provider, attemptSignal) => provider.runTask(task, input, attemptSignal),
      signal,
      call,
    );
  }

  answer(
    request: AnswerRequest,
    signal?: AbortSignal,
    call: ChainCallOptions = {},
  ): Promise<ChainResult<AnswerOutput>> {
    return this.execute(
      'answer',
      (provider, attemptSignal) => provider.answer(request, attemptSignal),
      signal,
      call,
    );
  }

  /**
   * An answer as its provider writes it. The chain fails over as `answer`
   * does until the first piece of text arrives, and resolves then: a call
   * that fails before it rejects as `answer` would, so the caller can still
   * answer with an error status. After it, the provider that wrote it
   * finishes the answer or fails it (AnswerInterruptedError). Each attempt
   * has its timeout to begin the answer; once begun, the answer goes on while
   * its pieces keep coming, each within the provider's timeout of the one
   * before, until the call's deadline (see streamedAttempt). Providers
   * without a stream of their own (the offline
   * engine, the upstream container) give their whole answer as one piece.
   */
  async streamAnswer(
    request: AnswerRequest,
    signal?: AbortSignal,
    call: ChainCallOptions = {},
  ): Promise<AnswerStream> {
    const pieces = new AnswerPieces<ChainResult<AnswerOutput>>();
    const answered = this.execute(
      'answer',
      (provider, attemptSignal) => pieces.fill(provider, request, attemptSignal),
      signal,
      { ...call, lastPieceAt: () => pieces.lastPieceAt },
    );
    return pieces.opened(answered, (result) => result.provider);
  }

  private order(task: AiTaskName | 'answer', offline: boolean): GuardedProvider[] {
    const preferred = this.options.taskProviders?.[task];
    const ordered = preferred
      ? preferred.flatMap((name) => this.guarded.filter(({ provider }) => provider.name === name))
      : [...this.guarded];
    return offline ? ordered : ordered.filter(({ provider }) => provider.name !== 'local');
  }

  /**
   * The turn a call with the chain's whole deadline gives the provider at
   * `index` of `order` when every one before it fails at once and every one
   * after it is asked (see ProviderTurn.fullMs).
   */
  private fullTurnMs(
    order: readonly GuardedProvider[],
    index: number,
    task: AiTaskName | 'answer',
  ): number {
    const { guard } = order[index] ?? {};
    if (!guard) return 0;
    return turnBudgetMs(
      this.options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      guard.settings.timeoutMs,
      remoteTimeouts(order.slice(index + 1), task),
    );
  }

  private async execute<R>(
    task: AiTaskName | 'answer',
    call: (provider: AiProvider, signal: AbortSignal) => Promise<ProviderReply<R>>,
    signal?: AbortSignal,
    { offline = true, deadlineMs, countedOnce, lastPieceAt }: StreamedCall = {},
  ): Promise<ChainResult<R>> {
    const attempts: ProviderAttempt[] = [];
    const record = (attempt: ProviderAttempt) => {
      attempts.push(attempt);
      this.options.onAttempt?.(attempt);
    };
    let unsupported: TaskUnsupportedError | undefined;
    const deadlineAt =
      performance.now() + (deadlineMs ?? this.options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    const order = this.order(task, offline);

    for (const [index, { provider, guard }] of order.entries()) {
      if (signal?.aborted) throw new ClientAbortedError(signal);
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      if (!provider.supports(task)) {
        record({ provider: provider.name, task, outcome: 'unsupported', durationMs: 0 });
        continue;
      }
      const turnMs = guard
        ? turnBudgetMs(
            deadlineAt - started,
            guard.settings.timeoutMs,
            remoteTimeouts(askedNow(order.slice(index + 1)), task),
          )
        : 0;
      if (guard && turnMs < MIN_ATTEMPT_MS) {
        record({ provider: provider.name, task, outcome: 'deadline', durationMs: 0 });
        continue;
      }
      try {
        const reply = guard
          ? await guard.run(
              (attemptSignal) => call(provider, attemptSignal),
              { ms: turnMs, fullMs: this.fullTurnMs(order, index, task) },
              signal,
              () => provider.unusableNow?.(),
              countedOnce?.take(provider.name) ?? true,
              lastPieceAt && { lastPieceAt, endsAt: deadlineAt },
            )
          : await call(provider, signal ?? new AbortController().signal);
        record({ provider: provider.name, task, outcome: 'success', durationMs: elapsed() });
        const fellBack =
          provider.name === 'local' &&
          attempts.some((attempt) => FAILED_OUTCOMES.has(attempt.outcome));
        const failed = attempts.filter(wasAskedAndFailed);
        if (failed.length > 0) {
          this.options.onFailover?.({ task, servedBy: provider.name, failed }, signal);
        }
        return {
          output: wellFormedOutput(reply.output),
          provider: provider.name,
          model: reply.model,
          degraded: fellBack || reply.degraded === true,
          usage: reply.usage,
          notes: reply.notes ?? [],
          attempts,
        };
      } catch (error) {
        if (error instanceof ClientAbortedError) throw error;
        if (signal?.aborted) throw new ClientAbortedError(signal);
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
        const failure: ProviderAttempt = {
          provider: provider.name,
          task,
          outcome: outcomeOf(error),
          durationMs: elapsed(),
          error: (error as Error).message,
          kind: error instanceof ProviderError ? error.kind : undefined,
          status: error instanceof ProviderError ? error.status : undefined,
          code: error instanceof ProviderError ? error.code : undefined,
          retryAfterMs: retryAfterOf(error, guard),
        };
        record(failure);
        if (lastPieceAt?.() !== undefined) throw new AnswerInterruptedError(failure);
        if (!guard) throw error;
      }
    }
    if (attempts.every((attempt) => attempt.outcome === 'unsupported')) {
      throw new TaskUnsupportedError(
        task,
        unsupported?.reason ??
          (offline
            ? 'no configured provider offers it'
            : 'no configured remote provider offers it'),
        capableOf(task, unsupported),
      );
    }
    throw new ProvidersExhaustedError(task, attempts);
  }
}

/** Per-attempt timeouts of the remote providers among `rest` that do `task`. */
function remoteTimeouts(rest: readonly GuardedProvider[], task: AiTaskName | 'answer'): number[] {
  return rest.flatMap(({ provider, guard }) =>
    guard && provider.supports(task) ? [guard.settings.timeoutMs] : [],
  );
}

/**
 * The providers among `rest` that a call now would ask: not one its open
 * circuit or resting keys pass over at once. Reserved a share of the
 * deadline all the same, it left the provider before it half the deadline
 * with one such provider after it (review).
 */
function askedNow(rest: readonly GuardedProvider[]): GuardedProvider[] {
  return rest.filter(({ provider, guard }) => !guard?.refusesCallsNow && !provider.unusableNow?.());
}

/**
 * Who to configure for a task no provider in the chain did: the providers the
 * refusal named (the offline engine names them with capableProvidersFor), or,
 * when it named none, every provider that does the task.
 */
function capableOf(task: AiTaskName | 'answer', refusal?: TaskUnsupportedError): string[] {
  const named = refusal?.capableProviders ?? [];
  return named.length > 0 ? [...named] : capableProvidersFor(task);
}
