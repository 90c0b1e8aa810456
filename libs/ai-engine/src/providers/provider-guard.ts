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
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { TimeTooShortToJudge, tellsOfKey, withTimeoutReason } from './attempt-timeout';
import { reportedCircuitStatus, type CircuitStatus } from './circuit-status';
import { MIN_ATTEMPT_MS } from './call-budget';
import { ClientAbortedError, untilClientLeaves } from './client-abort';
import { ProviderError } from './provider-error';
import { streamedAttempt, type StreamedTurn } from './streamed-attempt';

export interface ResiliencePolicy {
  /** Per attempt, at most; the chain's deadline may cut an attempt shorter (see turnBudgetMs). */
  readonly timeoutMs: number;
  /** Extra attempts after a retryable failure (429, 5xx, network, timeout). */
  readonly retries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Consecutive failed calls (each after its retries) that open the circuit. */
  readonly breakerThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly halfOpenAfterMs: number;
}

/** The time a call gives one provider (see turnBudgetMs). */
export interface ProviderTurn {
  /** This call's turn: a share of what is left of its deadline. */
  readonly ms: number;
  /**
   * The turn a call with the chain's whole deadline gives the provider, up
   * to its timeout: what running out of time is judged against (see
   * tellsOfKey). Judged against the timeout alone, a deadline configured
   * shorter than a few timeouts gave every turn too little: a hung
   * provider never opened its circuit, and an open one was never probed.
   */
  readonly fullMs: number;
}

/** Where a call's turn ends (performance.now()), and the time a timeout is judged against. */
interface TurnBounds {
  readonly endsAt: number;
  readonly judgedFromMs: number;
}

/** A circuit that opened or closed; half-open is a step between them and is not told. */
export interface CircuitChange {
  readonly state: 'open' | 'closed';
  /** Opened: how long calls pass the provider over before one tests it again. */
  readonly openForMs?: number;
  /** Opened: whether from closed, or because the call testing it failed. */
  readonly reopened?: boolean;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

function isRetryable(error: unknown): boolean {
  return (error instanceof ProviderError && error.retryable) || isTimeout(error);
}

/**
 * A timeout too short to judge by, made one that counts against the circuit,
 * where the call's other evidence says the provider failed; not a streamed
 * answer's that was still coming at the call's deadline, which never counts.
 */
function countedUnlessAnswerBegan(error: unknown, stream: StreamedTurn | undefined): unknown {
  if (!(error instanceof TimeTooShortToJudge) || stream?.lastPieceAt() !== undefined) return error;
  return new TaskCancelledError(error.message);
}

function countsAgainstHealth(error: unknown): boolean {
  return (
    (error instanceof ProviderError && error.countsAgainstHealth) ||
    (isTimeout(error) && !(error instanceof TimeTooShortToJudge))
  );
}

/**
 * One remote provider's cockatiel policies: a consecutive-failure circuit
 * breaker that lives as long as the chain, around, per call, a retry of
 * retryable failures around a timeout for each attempt. Retry and timeout are
 * built per call because their limits depend on the time the call's deadline
 * leaves this provider (its turn, see turnBudgetMs).
 *
 * The breaker counts calls, not attempts: a call whose every attempt failed
 * is one failure. Counted per attempt, one user's call whose retries met a
 * passing fault took the provider away from every user for the whole open
 * period.
 */
export class ProviderGuard {
  private readonly breaker: CircuitBreakerPolicy;
  /** When the circuit last opened, on cockatiel's clock (Date.now). */
  private openedAt = 0;
  /** A probe is testing the circuit: if it opens now, it reopens. */
  private testing = false;

  constructor(
    readonly settings: ResiliencePolicy,
    onCircuitChange?: (change: CircuitChange) => void,
  ) {
    const consecutive = new ConsecutiveBreaker(settings.breakerThreshold);
    const breaker: CircuitBreakerPolicy = circuitBreaker(
      // A caller leaving counts for nothing: a call begun while the circuit
      // was closed is not the breaker's business, and a probe is not
      // cancelled by its caller (see run).
      handleWhen(countsAgainstHealth),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: consecutive },
    );
    this.breaker = breaker;
    breaker.onHalfOpen(() => {
      this.testing = true;
    });
    breaker.onBreak(() => {
      const reopened = this.testing;
      this.testing = false;
      this.openedAt = Date.now();
      onCircuitChange?.({ state: 'open', openForMs: settings.halfOpenAfterMs, reopened });
    });
    breaker.onReset(() => {
      this.testing = false;
      // cockatiel closes a circuit whose probe failed with an error it does
      // not count (a request the provider rejected, a 429 on the last usable
      // key: the provider answered, and a resting key keeps calls away)
      // without resetting the count, so one failed call after that would
      // open it again at once.
      consecutive.success();
      onCircuitChange?.({ state: 'closed' });
    });
  }

  /**
   * The circuit's state as readiness reports it: an open circuit whose open
   * period is over is half-open (see reportedCircuitStatus), unless its
   * probe is withheld, every API key of the provider resting: the next call
   * passes the provider over untested, and the circuit stays open.
   */
  status(probeWithheld: boolean): CircuitStatus {
    const openLeftMs = probeWithheld ? Number.POSITIVE_INFINITY : (this.openForMs ?? 0);
    return reportedCircuitStatus(this.breaker.state, openLeftMs);
  }

  /** Whether a call now would be refused without asking the provider: its circuit open, or testing. */
  get refusesCallsNow(): boolean {
    const { state } = this.breaker;
    return state === CircuitState.HalfOpen || (this.openForMs ?? 0) > 0;
  }

  /**
   * How long the open circuit keeps refusing calls before one tests the
   * provider again; undefined while it lets calls through or tests one.
   */
  get openForMs(): number | undefined {
    if (this.breaker.state !== CircuitState.Open) return undefined;
    return Math.max(0, this.settings.halfOpenAfterMs - (Date.now() - this.openedAt));
  }

  /**
   * Runs `work` within its turn. Rejects with the provider's last failure,
   * TaskCancelledError (an attempt timed out, or was cut at the end of the
   * turn), BrokenCircuitError (circuit open, or half-open with its one probe
   * still running), ClientAbortedError (`client` aborted) or what
   * `unusableNow` returned before an attempt (nothing could be sent).
   */
  run<T>(
    work: (signal: AbortSignal) => Promise<T>,
    turn: ProviderTurn,
    client?: AbortSignal,
    unusableNow?: () => Error | undefined,
    /** false: the call's outcome does not count against the circuit, which must be closed. */
    counted = true,
    /**
     * A streamed call's answer: once it has begun, a failure is not retried,
     * and the attempt is timed as streamedAttempt says.
     */
    stream?: StreamedTurn,
  ): Promise<T> {
    if (client?.aborted) return Promise.reject(new ClientAbortedError(client));
    // Asked before the breaker: a call that could send nothing says nothing
    // of the provider's health, and run as a half-open circuit's probe,
    // cockatiel would count it a success and close the circuit untested.
    const idle = unusableNow?.();
    if (idle) return Promise.reject(idle);
    // While one probe tests a circuit that was open, cockatiel makes every
    // other call wait for its outcome, up to a whole timeout: they are
    // treated as while it is open instead, and the chain moves on at once.
    if (this.breaker.state === CircuitState.HalfOpen) {
      return Promise.reject(new BrokenCircuitError());
    }
    // A probe that could only run out of too short a time would prove
    // nothing either way: the circuit stays open for a call with time enough.
    const bounds: TurnBounds = {
      endsAt: performance.now() + turn.ms,
      judgedFromMs: Math.min(this.settings.timeoutMs, turn.fullMs),
    };
    if (
      this.breaker.state === CircuitState.Open &&
      !tellsOfKey(Math.min(this.settings.timeoutMs, turn.ms), bounds.judgedFromMs)
    ) {
      return Promise.reject(new BrokenCircuitError());
    }
    if (!counted) {
      if (this.breaker.state !== CircuitState.Closed)
        return Promise.reject(new BrokenCircuitError());
      return untilClientLeaves(this.attempts(work, bounds, client, unusableNow, stream), client);
    }
    const call = this.breaker.execute(() =>
      // The breaker runs a call while it is not closed only as its probe (at
      // this point cockatiel still reports the probe's circuit as open).
      this.breaker.state === CircuitState.Closed
        ? this.attempts(work, bounds, client, unusableNow, stream)
        : this.probe(work, bounds, stream),
    );
    return untilClientLeaves(call, client);
  }

  /**
   * A call's attempts: a retry of retryable failures, each attempt under
   * cockatiel's timeout. The client's signal reaches the provider call but is
   * not the timeout's parent: cockatiel would turn its abort into a
   * TaskCancelledError, which counts as the provider timing out.
   */
  private attempts<T>(
    work: (signal: AbortSignal) => Promise<T>,
    { endsAt, judgedFromMs }: TurnBounds,
    client: AbortSignal | undefined,
    unusableNow: (() => Error | undefined) | undefined,
    stream: StreamedTurn | undefined,
  ): Promise<T> {
    const left = () => endsAt - performance.now();
    const { settings } = this;
    const retryPolicy = retry(
      // A retry must fit in the turn after the longest backoff; otherwise the
      // turn ends now and the next provider gets the time. Once other calls
      // have opened the circuit, a retry would only add to an outage that is
      // already being waited out.
      handleWhen(
        (error) =>
          isRetryable(error) &&
          stream?.lastPieceAt() === undefined &&
          left() >= settings.maxBackoffMs + MIN_ATTEMPT_MS &&
          this.breaker.state === CircuitState.Closed,
      ),
      {
        maxAttempts: settings.retries,
        backoff: new ExponentialBackoff({
          initialDelay: settings.initialBackoffMs,
          maxDelay: settings.maxBackoffMs,
        }),
      },
    );
    // A retry left too little time to judge by, after an attempt that hung
    // or failed in a way that counts, does not make the call one that says
    // nothing of the provider.
    let failedAsProvider = false;
    // Cockatiel does not cut a backoff short when the caller leaves: the
    // caller is answered at once all the same (see run), and the attempt
    // after the backoff stops before calling the provider.
    const call = retryPolicy.execute(async ({ attempt }) => {
      if (client?.aborted) throw new ClientAbortedError(client);
      // Every key may have begun to rest during the backoff (another call's
      // 429): this call then ends as one that could send nothing.
      const idle = attempt > 0 ? unusableNow?.() : undefined;
      if (idle) throw idle;
      try {
        return await this.attempt(
          Math.min(settings.timeoutMs, left()),
          (signal) =>
            untilClientLeaves(work(client ? AbortSignal.any([signal, client]) : signal), client),
          stream,
          judgedFromMs,
        );
      } catch (error) {
        failedAsProvider ||= countsAgainstHealth(error);
        throw error;
      }
    }, client);
    return call.catch((error: unknown) => {
      throw failedAsProvider ? countedUnlessAnswerBegan(error, stream) : error;
    });
  }

  /**
   * A probe: one attempt, which runs to its end when its caller leaves (run
   * answers the caller at once). Its outcome, not the caller's patience,
   * decides whether the circuit closes, and callers leaving could otherwise
   * keep it open. It is not retried: a provider that has just failed enough
   * calls to open its circuit is tested once, and its caller moves on to the
   * next provider without waiting out backoffs.
   */
  private probe<T>(
    work: (signal: AbortSignal) => Promise<T>,
    { endsAt, judgedFromMs }: TurnBounds,
    stream: StreamedTurn | undefined,
  ): Promise<T> {
    // run sends no probe without time enough to judge by; a probe that ran
    // out of it all the same (its turn began a moment later) keeps the
    // circuit open rather than closing it untested.
    return this.attempt(
      Math.min(this.settings.timeoutMs, endsAt - performance.now()),
      work,
      stream,
      judgedFromMs,
    ).catch((error: unknown) => {
      throw countedUnlessAnswerBegan(error, stream);
    });
  }

  /**
   * One attempt under cockatiel's timeout, whose signal `send` passes to the
   * provider call. The attempt ends at the provider's timeout or at the end
   * of its turn, whichever is sooner; either way, an attempt given enough of
   * `judgedFromMs` to judge its key by (tellsOfKey) says that the key hung,
   * and counts against the circuit; one given less ends in TimeTooShortToJudge.
   * A streamed answer's attempt has that time to begin (see streamedAttempt).
   */
  private attempt<T>(
    timeoutMs: number,
    send: (signal: AbortSignal) => Promise<T>,
    stream: StreamedTurn | undefined,
    judgedFromMs: number,
  ): Promise<T> {
    const judgesKey = tellsOfKey(timeoutMs, judgedFromMs);
    if (stream) {
      return streamedAttempt(send, stream, {
        timeoutMs,
        idleMs: this.settings.timeoutMs,
        judgesKey,
      });
    }
    const attempt = timeout(Math.max(1, timeoutMs), TimeoutStrategy.Aggressive).execute(
      ({ signal }) => send(withTimeoutReason(signal, { judgesKey })),
    );
    if (judgesKey) return attempt;
    return attempt.catch((error: unknown) => {
      throw isTimeout(error) ? new TimeTooShortToJudge((error as Error).message) : error;
    });
  }
}
