import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { reportedCircuitStatus, type CircuitStatus } from '../providers/circuit-status';

/**
 * Consecutive outages that open Chroma's circuit. Each one cost its caller a
 * whole wait (up to CHROMA_REQUEST_TIMEOUT_MS, see chroma-http.ts). One alone
 * may be a single call slower than its deadline (a large owner's lexical
 * prefilter); three in a row, with no answer between them, are Chroma itself.
 * Calls that were in flight together when Chroma hung fail together, so
 * under load the circuit opens with the first of them.
 */
export const CHROMA_BREAKER_THRESHOLD = 3;

/**
 * How long Chroma's circuit stays open before one call is let through to
 * test it. Callers are kept out of most of a hung Chroma's episode (the
 * gateway's /ready sees it within 2 s, the orchestrator replaces a task in
 * tens of seconds), while a Chroma that answers again waits at most this long
 * for the searches to reach it. A test call that finds Chroma still hung
 * costs only its own caller a whole deadline.
 */
export const CHROMA_HALF_OPEN_AFTER_MS = 10_000;

export interface ChromaCircuitSettings {
  /** Consecutive outages that open the circuit. */
  readonly threshold: number;
  /** How long the circuit stays open before one call is let through. */
  readonly halfOpenAfterMs: number;
  /** How long a call must have waited before its outage counts (see ChromaCircuit). */
  readonly countsAfterMs: number;
}

/** A ChromaConnectionError: how the adapter reports every failed exchange (see asOutage). */
function isOutage(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ChromaConnectionError';
}

/**
 * A cockatiel circuit breaker in front of Chroma, so that a Chroma that
 * accepts connections and never answers costs the gateway a few calls'
 * deadlines, not every call's. While the circuit is open, a call fails at
 * once with the client's ChromaConnectionError (routes answer it 503 with
 * Retry-After, as any outage), carrying `retryAfterMs`: how long the circuit
 * stays open.
 *
 * Only outages count against Chroma, and only those that made their caller
 * wait (countsAfterMs). An answer, even a refusal (4xx, 5xx, 429, which the
 * adapter may report as VectorWriteRejectedError), says that Chroma is
 * there, and ends a run of outages as a success does; so does any other
 * error of a call, which says nothing against Chroma. A connection refused
 * or reset at once (Chroma stopped or restarting) fails in milliseconds: the
 * circuit would spare its callers nothing, and would keep them out for up to
 * halfOpenAfterMs once Chroma is back, which takes about a second. Such an
 * outage neither counts nor ends a run.
 */
export class ChromaCircuit {
  private readonly breaker: CircuitBreakerPolicy;
  /** The outages that waited long enough to count, as they pass through the breaker. */
  private readonly counted = new WeakSet<object>();
  /** When the circuit last opened, on cockatiel's clock (Date.now). */
  private openedAt = 0;

  constructor(
    private readonly settings: ChromaCircuitSettings,
    private readonly outage: (message: string) => Error,
  ) {
    const consecutive = new ConsecutiveBreaker(settings.threshold);
    this.breaker = circuitBreaker(
      handleWhen((error) => this.counted.has(error)),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: consecutive },
    );
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    // cockatiel closes a circuit whose test call failed with an error it does
    // not count (a quick refusal: Chroma restarting) without resetting the
    // count, so one slow outage after that would open it again at once.
    this.breaker.onReset(() => consecutive.success());
  }

  get status(): CircuitStatus {
    return reportedCircuitStatus(this.breaker.state, this.openLeftMs());
  }

  /**
   * Runs `call`, whose failed exchanges are already ChromaConnectionError,
   * unless the circuit is open or its one test call is still running.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    // While one call tests a circuit that was open, cockatiel makes every
    // other call wait for its outcome, up to a whole deadline: they fail as
    // while it is open instead.
    if (this.breaker.state === CircuitState.HalfOpen) throw this.openError(undefined);
    let outcome: { readonly value: T } | { readonly answered: unknown };
    try {
      outcome = await this.breaker.execute(async () => {
        const started = performance.now();
        try {
          return { value: await call() };
        } catch (error) {
          if (!isOutage(error)) return { answered: error };
          if (performance.now() - started >= this.settings.countsAfterMs) this.counted.add(error);
          // An outage that does not count is thrown past the breaker, which
          // then neither counts it nor ends the run. A test call that fails
          // so closes the circuit, as cockatiel does for any error it does
          // not handle: the calls after it fail as quickly.
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.openError(this.openLeftMs());
      // The outage that opened the circuit: its caller too is told how long it stays open.
      if (this.breaker.state === CircuitState.Open && this.counted.has(error as object)) {
        Object.assign(error as object, { retryAfterMs: Math.ceil(this.openLeftMs()) });
      }
      throw error;
    }
    // Any other failure came with an answer, or before anything was sent:
    // for the breaker a success, which ends a run of outages.
    if ('answered' in outcome) throw outcome.answered;
    return outcome.value;
  }

  private openLeftMs(): number {
    return this.settings.halfOpenAfterMs - (Date.now() - this.openedAt);
  }

  /** The outage a call meets while the circuit is open; `leftMs` is how long it stays open. */
  private openError(leftMs: number | undefined): Error {
    const error = this.outage(
      leftMs === undefined
        ? "Chroma's circuit is open after repeated failures: one call is testing whether Chroma answers again"
        : `Chroma's circuit is open after repeated failures: calls fail at once for another ${Math.max(0, Math.ceil(leftMs))} ms, then one tests whether Chroma answers again`,
    );
    return leftMs !== undefined && leftMs > 0
      ? Object.assign(error, { retryAfterMs: Math.ceil(leftMs) })
      : error;
  }
}
