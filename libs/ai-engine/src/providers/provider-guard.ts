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
import { withTimeoutReason } from './attempt-timeout';
import { MIN_ATTEMPT_MS } from './call-budget';
import { ClientAbortedError, untilClientLeaves } from './client-abort';
import { ProviderError } from './provider-error';

export interface ResiliencePolicy {
  /** Per attempt, at most; the chain's deadline may cut an attempt shorter (see turnBudgetMs). */
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

export function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

function isRetryable(error: unknown): boolean {
  return (error instanceof ProviderError && error.retryable) || isTimeout(error);
}

function countsAgainstHealth(error: unknown): boolean {
  return (error instanceof ProviderError && error.countsAgainstHealth) || isTimeout(error);
}

/**
 * One remote provider's cockatiel policies: a consecutive-failure circuit
 * breaker that lives as long as the chain, and, per call, a retry of
 * retryable failures around a timeout for each attempt. Retry and timeout are
 * built per call because their limits depend on the time the call's deadline
 * leaves this provider (its turn, see turnBudgetMs).
 */
export class ProviderGuard {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(readonly settings: ResiliencePolicy) {
    const breaker: CircuitBreakerPolicy = circuitBreaker(
      // A caller leaving counts for nothing: a call begun while the circuit
      // was closed is not the breaker's business, and a probe is not
      // cancelled by its caller (see attempt).
      handleWhen(countsAgainstHealth),
      {
        halfOpenAfter: settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.breakerThreshold),
      },
    );
    this.breaker = breaker;
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  /**
   * Runs `work` within `turnMs`. Rejects with the provider's last failure,
   * TaskCancelledError (an attempt timed out, or was cut at the end of the
   * turn), BrokenCircuitError (circuit open, or half-open with its one probe
   * still running), ClientAbortedError (`client` aborted) or what
   * `unusableNow` returned before an attempt (nothing could be sent).
   */
  run<T>(
    work: (signal: AbortSignal) => Promise<T>,
    turnMs: number,
    client?: AbortSignal,
    unusableNow?: () => Error | undefined,
  ): Promise<T> {
    const endsAt = performance.now() + turnMs;
    const left = () => endsAt - performance.now();
    const { settings } = this;
    const retryPolicy = retry(
      // A retry must fit in the turn after the longest backoff; otherwise the
      // turn ends now and the next provider gets the time.
      handleWhen((error) => isRetryable(error) && left() >= settings.maxBackoffMs + MIN_ATTEMPT_MS),
      {
        maxAttempts: settings.retries,
        backoff: new ExponentialBackoff({
          initialDelay: settings.initialBackoffMs,
          maxDelay: settings.maxBackoffMs,
        }),
      },
    );
    // Cockatiel does not cut a backoff short when the caller leaves: the
    // caller is answered at once all the same, and the attempt after the
    // backoff stops before calling the provider.
    const attempts = retryPolicy.execute(() => {
      if (client?.aborted) throw new ClientAbortedError(client);
      // Asked before the breaker, at every attempt: one that could send
      // nothing says nothing of the provider's health, and run as a half-open
      // circuit's probe, cockatiel would count it a success and close the
      // circuit untested.
      const idle = unusableNow?.();
      if (idle) throw idle;
      // While one probe tests a circuit that was open, cockatiel makes every
      // other call wait for its outcome, up to a whole timeout: they are
      // treated as while it is open instead, and the chain moves on at once.
      if (this.breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
      return this.breaker.execute(() =>
        this.attempt(work, Math.min(settings.timeoutMs, left()), client),
      );
    }, client);
    return untilClientLeaves(attempts, client);
  }

  /**
   * One attempt under cockatiel's timeout. The client's signal reaches the
   * provider call but is not the timeout's parent: cockatiel would turn its
   * abort into a TaskCancelledError, which counts as the provider timing out.
   */
  private attempt<T>(
    work: (signal: AbortSignal) => Promise<T>,
    timeoutMs: number,
    client?: AbortSignal,
  ): Promise<T> {
    // The breaker runs a call while it is not closed only as its probe (at
    // this point cockatiel still reports the probe's circuit as open). A probe
    // runs to its end when its caller leaves (run answers the caller at once):
    // its outcome, not the caller's patience, decides whether the circuit
    // closes, and callers leaving could otherwise keep it open.
    const caller = this.breaker.state === CircuitState.Closed ? client : undefined;
    return timeout(Math.max(1, timeoutMs), TimeoutStrategy.Aggressive).execute(({ signal }) => {
      const timeoutSignal = withTimeoutReason(signal, {
        wholeTimeout: timeoutMs >= this.settings.timeoutMs,
      });
      return untilClientLeaves(
        work(caller ? AbortSignal.any([timeoutSignal, caller]) : timeoutSignal),
        caller,
      );
    });
  }
}
