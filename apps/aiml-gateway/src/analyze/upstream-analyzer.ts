import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'undici';
import { loadUndici } from '../load-undici';
import { parseAcceptedJson } from './prototype-keys';
import { reportedCircuitStatus, type CircuitStatus } from '@docuthinker/ai-engine';
import { analyzeResponse, MAX_AI_ANSWER_BYTES } from '@docuthinker/contracts';

/** Less time than this left of a request's deadline and the container is not asked. */
const MIN_ATTEMPT_MS = 50;

export interface UpstreamAnalyzerOptions {
  /**
   * Base URL of the FastAPI AI/ML container, e.g. `http://127.0.0.1:8001`,
   * or with a path prefix (`http://ml.internal/aiml`), which `/analyze` is
   * appended to, as the upstream provider does for the tasks.
   */
  readonly url: string;
  /**
   * Per attempt, from the moment the request has a connection; an analysis
   * runs several model calls, so it is generous.
   */
  readonly timeoutMs?: number;
  /**
   * How long a request may wait for one of the pool's connections when all
   * are in use, by default as long as an attempt may take; past it the
   * request is not sent and the route serves it locally.
   */
  readonly queueTimeoutMs?: number;
  /** Extra attempts, only for failures where the container did no work. */
  readonly retries?: number;
  readonly initialBackoffMs?: number;
  /** Consecutive failures that open the circuit. */
  readonly breakerThreshold?: number;
  /** Size of the keep-alive pool. */
  readonly maxConnections?: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly halfOpenAfterMs?: number;
  /** The largest answer read; a longer one is a failure, not kept in memory. */
  readonly maxAnswerBytes?: number;
}

/**
 * Says that nobody waits for an answer any more: an AbortSignal is one, and
 * so is a ResponseCancellation, which costs no AbortController per request.
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options: { once: true }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Never cancelled, and listened to by nobody. */
const NOT_CANCELLED: Cancellation = {
  aborted: false,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
};

/**
 * Cancelled when the client's response closes before it was sent: the
 * client went away. Listeners go on the response's 'close' event.
 */
export class ResponseCancellation implements Cancellation {
  private readonly listeners = new Map<() => void, () => void>();

  constructor(private readonly response: ServerResponse) {}

  get aborted(): boolean {
    return this.response.destroyed && !this.response.writableFinished;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    const onClose = () => {
      if (!this.response.writableFinished) listener();
    };
    this.listeners.set(listener, onClose);
    this.response.once('close', onClose);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const onClose = this.listeners.get(listener);
    if (onClose === undefined) return;
    this.listeners.delete(listener);
    this.response.removeListener('close', onClose);
  }
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

/**
 * The request was not sent: every connection to the container was in use
 * for longer than the queue allows, or the request's deadline was spent
 * before an attempt could start. It says nothing of the container's health
 * (a busy container answers, only later), so the circuit does not count it
 * and it is not retried; the route serves the request locally.
 */
export class UpstreamBusyError extends Error {
  override readonly name = 'UpstreamBusyError';
}

/**
 * 4xx answers that are about how the container is reached (its address or
 * credentials), not about the request: every request would get them, so they
 * count against the container and the route falls back, as for a 5xx.
 */
const MISCONFIGURED = new Set([401, 403, 404, 405]);

/** Failures to connect at all: the container cannot have seen the request. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The FastAPI container's `/analyze` behind cockatiel: a retry of safe
 * failures around a consecutive-failure circuit breaker, each attempt with a
 * timeout of its own. Requests go over an undici connection pool, driven
 * through `dispatch`: proxy overhead is what the gateway is measured on, and
 * here it took a fifth less CPU per proxied request than node:http's client
 * (docs/benchmarks.md). Each attempt's timeout is one timer from the moment
 * the request has a connection (see exchange).
 */
export class UpstreamAnalyzer {
  private readonly path: string;
  private readonly pool: Pool;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly halfOpenAfterMs: number;
  /** When the circuit last opened, on cockatiel's clock (Date.now). */
  private openedAt = 0;
  private readonly policy: IPolicy;
  private readonly timeoutMs: number;
  private readonly queueTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxAnswerBytes: number;
  /**
   * Exchanges under way: past maxConnections, a new one waits in undici's
   * queue for a connection, and only then is its queue timer armed; the
   * usual request, which has a connection at once, arms none.
   */
  private exchanges = 0;

  constructor(options: UpstreamAnalyzerOptions) {
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_AI_ANSWER_BYTES;
    const base = new URL(options.url);
    // The URL's path is a prefix (found in review: `new URL('/analyze', url)`
    // dropped it, so /analyze went to the wrong path while the tasks did not).
    this.path = `${base.pathname.replace(/\/+$/, '')}/analyze`;
    this.maxConnections = options.maxConnections ?? 128;
    // Loaded here, not at the top: a gateway without an upstream never needs
    // undici, and compiling and running all of it was an eighth of the start-up.
    const { Pool: UndiciPool } = loadUndici();
    this.pool = new UndiciPool(base.origin, {
      connections: this.maxConnections,
      // Below uvicorn's 5 s keep-alive default, so the pool drops an idle
      // connection before the container does: a POST sent on a connection
      // the other side is closing could not be retried safely.
      keepAliveTimeout: 4000,
    });
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 30000;
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
        halfOpenAfter: this.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
      },
    );
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    // The per-attempt timeout is a plain timer (see exchange), not
    // cockatiel's timeout policy: with it the proxy served about half the
    // requests per second at one connection, and aborting each finished
    // attempt's signal built a DOMException per request.
    this.timeoutMs = options.timeoutMs ?? 60000;
    this.queueTimeoutMs = options.queueTimeoutMs ?? this.timeoutMs;
    this.policy = wrap(retryPolicy, this.breaker);
  }

  get circuitState(): CircuitStatus {
    return reportedCircuitStatus(
      this.breaker.state,
      this.halfOpenAfterMs - (Date.now() - this.openedAt),
    );
  }

  /**
   * Resolves with the container's 2xx answer. Rejects with UpstreamFailure,
   * TaskCancelledError (timeout), UpstreamBusyError (no connection came free
   * in time, or no time was left) or BrokenCircuitError (circuit open, or
   * half-open with its one probe still running).
   *
   * `deadlineAt` (performance.now()): the request's own deadline, which
   * bounds the wait for a connection, each attempt and its retries together;
   * each alone had the whole timeout, so a request could take several.
   */
  analyze(
    body: string | Buffer,
    requestId: string,
    signal: Cancellation = NOT_CANCELLED,
    deadlineAt?: number,
  ): Promise<UpstreamAnswer> {
    // While one probe tests a circuit that was open, cockatiel makes every
    // other call wait for its outcome, up to a whole timeout: they are served
    // as while it is open instead, at once.
    if (this.breaker.state === CircuitState.HalfOpen) {
      return Promise.reject(new BrokenCircuitError());
    }
    const closed = this.breaker.state === CircuitState.Closed;
    if (!closed && signal.aborted) return Promise.reject(abortError(signal));
    // Cancellation reaches each attempt directly, not through cockatiel, which
    // would want an AbortSignal: making one per request was a measurable
    // share of the proxy's CPU (see ResponseCancellation).
    const attempts = this.policy.execute(() =>
      // Inside the breaker the circuit reads open only for its probe (a first
      // attempt, or a retry, once the circuit is due to half-open). A probe
      // runs to its end when its client leaves: its outcome, not a client's
      // patience, decides whether the circuit closes; counted as failures,
      // clients leaving kept a healthy container's circuit open.
      this.post(
        body,
        requestId,
        this.breaker.state === CircuitState.Closed ? signal : NOT_CANCELLED,
        deadlineAt,
      ),
    );
    // Begun while open: refused at once, or the probe, whose client is
    // answered as soon as it leaves. (A retry that became the probe keeps
    // its client until it ends, within the attempt's timeout.)
    return closed ? attempts : untilCancelled(attempts, signal);
  }

  /** Closes the pooled connections. */
  close(): void {
    void this.pool.destroy();
  }

  private async post(
    body: string | Buffer,
    requestId: string,
    signal: Cancellation,
    deadlineAt: number | undefined,
  ): Promise<UpstreamAnswer> {
    if (deadlineAt !== undefined && deadlineAt - performance.now() < MIN_ATTEMPT_MS) {
      throw new UpstreamBusyError('the request had no time left to ask the upstream');
    }
    const { status, payload } = await this.exchange(body, requestId, signal, deadlineAt);
    if (status >= 400 && status < 500 && !MISCONFIGURED.has(status) && status !== 429) {
      throw new UpstreamFailure(
        `the upstream rejected the request with ${status}`,
        false,
        status,
        true,
      );
    }
    if (status < 200 || status >= 300) {
      throw new UpstreamFailure(`the upstream answered ${status}`, status === 503, status);
    }
    if (!isAnalyzeAnswer(payload)) {
      throw new UpstreamFailure(
        "the upstream's answer does not follow the /analyze contract",
        false,
        status,
      );
    }
    return { status, body: payload };
  }

  /** One POST over the pool; a failure says whether the request can have reached the container. */
  private exchange(
    body: string | Buffer,
    requestId: string,
    signal: Cancellation,
    deadlineAt: number | undefined,
  ): Promise<{ status: number; payload: Buffer }> {
    // Each wait is its own limit, or what is left of the request's deadline when less.
    const within = (limitMs: number) =>
      deadlineAt === undefined
        ? limitMs
        : Math.max(1, Math.min(limitMs, Math.round(deadlineAt - performance.now())));
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      let settled = false;
      let answered = false;
      let status = 0;
      // An answer is a few kilobytes: usually one chunk, kept without a copy.
      let first: Buffer | undefined;
      let rest: Buffer[] | undefined;
      let received = 0;
      // Set once undici puts the request on a connection; a request still
      // queued for one when the client leaves is aborted as it starts.
      let controller: { abort(reason: Error): void } | undefined;
      const onAbort = () => {
        controller?.abort(abortError(signal));
        finish(() => reject(abortError(signal)));
      };
      let queueTimer: NodeJS.Timeout | undefined;
      let attemptTimer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        this.exchanges -= 1;
        if (queueTimer !== undefined) clearTimeout(queueTimer);
        if (attemptTimer !== undefined) clearTimeout(attemptTimer);
        if (signal !== NOT_CANCELLED) signal.removeEventListener('abort', onAbort);
        settle();
      };
      const fail = (error: Error & { code?: string }) => {
        if (signal.aborted) return reject(abortError(signal));
        if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT') {
          return reject(new TaskCancelledError(`Operation timed out after ${this.timeoutMs}ms`));
        }
        if (answered) {
          return reject(
            new UpstreamFailure(`the upstream's answer broke off: ${error.message}`, false),
          );
        }
        reject(
          new UpstreamFailure(
            `no answer from the upstream: ${error.code ?? error.message}`,
            error.code !== undefined && CONNECT_ERRORS.has(error.code),
          ),
        );
      };
      if (signal !== NOT_CANCELLED) signal.addEventListener('abort', onAbort, { once: true });
      if (this.exchanges >= this.maxConnections) {
        const queueTimeoutMs = within(this.queueTimeoutMs);
        queueTimer = setTimeout(() => {
          finish(() =>
            reject(
              new UpstreamBusyError(
                `all ${this.maxConnections} connections to the upstream stayed in use for ${queueTimeoutMs}ms`,
              ),
            ),
          );
        }, queueTimeoutMs);
      }
      this.exchanges += 1;
      this.pool.dispatch(
        {
          path: this.path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-request-id': requestId,
          },
          body,
          // undici's own (coarse) timeouts stay as a backstop to the attempt's timer.
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        {
          onRequestStart: (dispatchController) => {
            controller = dispatchController;
            // Settled while it waited: its client left, or the queue timed out.
            if (settled) {
              dispatchController.abort(
                signal.aborted ? abortError(signal) : new UpstreamBusyError(),
              );
              return;
            }
            if (queueTimer !== undefined) clearTimeout(queueTimer);
            // Armed when the request has a connection: the attempt's time is
            // the container's, not the queue's (found in review: a request
            // that waited for a connection had a healthy container's answer
            // thrown away as late, and counted against its circuit). A timer,
            // not undici's body timeout alone, which is the wait between two
            // chunks: an answer trickled a byte every 40 s ran 80 s against a
            // 60 s timeout (found in an exploratory test).
            const attemptMs = within(this.timeoutMs);
            attemptTimer = setTimeout(() => {
              const late = new TaskCancelledError(`Operation timed out after ${attemptMs}ms`);
              finish(() => reject(late));
              dispatchController.abort(late);
            }, attemptMs);
          },
          onResponseStart: (_controller, statusCode) => {
            if (statusCode < 200) return; // 100 Continue and the like
            answered = true;
            status = statusCode;
          },
          onResponseData: (dispatchController, chunk) => {
            if (settled) return;
            received += chunk.length;
            if (received > this.maxAnswerBytes) {
              const tooLarge = new UpstreamFailure(
                `the upstream's answer is larger than ${this.maxAnswerBytes} bytes`,
                false,
                status,
              );
              finish(() => reject(tooLarge));
              dispatchController.abort(tooLarge);
              return;
            }
            if (first === undefined) first = chunk;
            else (rest ??= [first]).push(chunk);
          },
          onResponseEnd: () => {
            finish(() =>
              resolve({ status, payload: rest ? Buffer.concat(rest) : (first ?? EMPTY) }),
            );
          },
          onResponseError: (_controller, error) => {
            finish(() => fail(error));
          },
        },
      );
    });
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Settles with `work`, or rejects with the cancellation's AbortError as soon
 * as nobody waits; `work` goes on, and its outcome is then nobody's.
 */
function untilCancelled<T>(work: Promise<T>, signal: Cancellation): Promise<T> {
  if (signal === NOT_CANCELLED) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** What a cancelled exchange rejects with: the signal's reason, as fetch and http.request do. */
function abortError(signal: Cancellation): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Passed on only when it is an analysis: the container's bytes go to the
 * client as they are, so an answer the contract does not describe (an error
 * object with 200, a half-built result) is a failure the route falls back
 * from, and so is one with a key the gateway refuses in a request
 * (`__proto__`, `constructor.prototype`), which a client merging the answer
 * into an object would take in.
 */
function isAnalyzeAnswer(payload: Buffer): boolean {
  const json = parseAcceptedJson(payload);
  return json !== undefined && analyzeResponse.safeParse(json).success;
}
