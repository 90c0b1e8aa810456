import {
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
import type { CircuitStatus } from '@docuthinker/ai-engine';

export interface UpstreamAnalyzerOptions {
  /** Origin of the FastAPI AI/ML container, e.g. `http://127.0.0.1:8001`. */
  readonly url: string;
  /** Per attempt; an analysis runs several model calls, so it is generous. */
  readonly timeoutMs?: number;
  /** Extra attempts, only for failures where the container did no work. */
  readonly retries?: number;
  readonly initialBackoffMs?: number;
  /** Consecutive failures that open the circuit. */
  readonly breakerThreshold?: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly halfOpenAfterMs?: number;
}

/** A 2xx answer of the container, passed on byte for byte. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * The container did not produce an analysis. `safeToRetry` marks failures
 * where it cannot have started one (no connection, 503); `rejected` marks a
 * 4xx, which is about the request, says nothing of the container's health
 * and is not worth a fallback either.
 */
export class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure';
  constructor(
    message: string,
    readonly safeToRetry: boolean,
    readonly status?: number,
    readonly rejected = false,
  ) {
    super(message);
  }
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function connectErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' && CONNECT_ERRORS.has(cause.code) ? cause.code : undefined;
}

const CIRCUIT_STATUS: Record<CircuitState, CircuitStatus> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * The FastAPI container's `/analyze` behind cockatiel: a retry of safe
 * failures around a consecutive-failure circuit breaker around a per-attempt
 * timeout. Requests go through Node's fetch (undici), whose global agent keeps
 * connections alive and pooled per origin.
 */
export class UpstreamAnalyzer {
  private readonly endpoint: string;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;

  constructor(options: UpstreamAnalyzerOptions) {
    this.endpoint = new URL('/analyze', options.url).toString();
    const retryPolicy = retry(
      handleWhen((error) => error instanceof UpstreamFailure && error.safeToRetry),
      {
        maxAttempts: options.retries ?? 2,
        backoff: new ExponentialBackoff({
          initialDelay: options.initialBackoffMs ?? 100,
          maxDelay: 2000,
        }),
      },
    );
    this.breaker = circuitBreaker(
      handleWhen(
        (error) =>
          (error instanceof UpstreamFailure && !error.rejected) ||
          error instanceof TaskCancelledError,
      ),
      {
        halfOpenAfter: options.halfOpenAfterMs ?? 30000,
        breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
      },
    );
    this.policy = wrap(
      retryPolicy,
      this.breaker,
      timeout(options.timeoutMs ?? 60000, TimeoutStrategy.Aggressive),
    );
  }

  get circuitState(): CircuitStatus {
    return CIRCUIT_STATUS[this.breaker.state];
  }

  /**
   * Resolves with the container's 2xx answer. Rejects with UpstreamFailure,
   * TaskCancelledError (timeout) or BrokenCircuitError (circuit open).
   */
  analyze(body: string, requestId: string, signal?: AbortSignal): Promise<UpstreamAnswer> {
    return this.policy.execute(
      ({ signal: attemptSignal }) => this.post(body, requestId, attemptSignal),
      signal,
    );
  }

  private async post(
    body: string,
    requestId: string,
    signal: AbortSignal,
  ): Promise<UpstreamAnswer> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': requestId,
        },
        body,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const code = connectErrorCode(error);
      throw new UpstreamFailure(
        `no connection to the upstream: ${code ?? (error as Error).message}`,
        code !== undefined,
      );
    }
    let payload: Buffer;
    try {
      payload = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (signal.aborted) throw error;
      throw new UpstreamFailure(
        `the upstream's answer broke off: ${(error as Error).message}`,
        false,
        response.status,
      );
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new UpstreamFailure(
        `the upstream rejected the request with ${response.status}`,
        false,
        response.status,
        true,
      );
    }
    if (!response.ok) {
      throw new UpstreamFailure(
        `the upstream answered ${response.status}`,
        response.status === 503,
        response.status,
      );
    }
    if (!isJsonObject(payload)) {
      throw new UpstreamFailure(
        'the upstream answered with a body that is not a JSON object',
        false,
        response.status,
      );
    }
    return { status: response.status, body: payload };
  }
}

function isJsonObject(payload: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
