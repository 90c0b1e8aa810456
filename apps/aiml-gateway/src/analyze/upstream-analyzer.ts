import {
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
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  /** Size of the keep-alive pool. */
  readonly maxConnections?: number;
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

/** Failures to connect at all: the container cannot have seen the request. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const CIRCUIT_STATUS: Record<CircuitState, CircuitStatus> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * The FastAPI container's `/analyze` behind cockatiel: a retry of safe
 * failures around a consecutive-failure circuit breaker, each attempt with a
 * timeout of its own. Requests go over node:http with a keep-alive pool of its own:
 * on this platform Node 20's fetch (undici) reached about 300–500 requests/s
 * to a local stub at 50 concurrent requests where a keep-alive http.Agent
 * reached about 1,500, and proxy overhead is what the gateway is measured on.
 */
export class UpstreamAnalyzer {
  private readonly endpoint: URL;
  private readonly target: { protocol: string; hostname: string; port: string; path: string };
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly send: typeof httpRequest;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private readonly timeoutMs: number;

  constructor(options: UpstreamAnalyzerOptions) {
    this.endpoint = new URL('/analyze', options.url);
    this.target = {
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname.replace(/^\[|\]$/g, ''),
      port: this.endpoint.port,
      path: this.endpoint.pathname,
    };
    // noDelay: headers and body go out as separate writes, and with Nagle's
    // algorithm on the body waits for the upstream's delayed ACK (~40 ms on
    // Linux loopback), which capped the proxy at about 1,600 requests/s.
    const pool = { keepAlive: true, noDelay: true, maxSockets: options.maxConnections ?? 128 };
    const secure = this.endpoint.protocol === 'https:';
    this.agent = secure ? new HttpsAgent(pool) : new HttpAgent(pool);
    this.send = secure ? httpsRequest : httpRequest;
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
    // The per-attempt timeout is the request's own timer (see exchange): with
    // cockatiel's timeout policy as a third layer the proxy served about half
    // the requests per second at one connection, and aborting each finished
    // attempt's signal built a DOMException per request.
    this.timeoutMs = options.timeoutMs ?? 60000;
    this.policy = wrap(retryPolicy, this.breaker);
  }

  get circuitState(): CircuitStatus {
    return CIRCUIT_STATUS[this.breaker.state];
  }

  /**
   * Resolves with the container's 2xx answer. Rejects with UpstreamFailure,
   * TaskCancelledError (timeout) or BrokenCircuitError (circuit open).
   */
  analyze(body: string | Buffer, requestId: string, signal?: AbortSignal): Promise<UpstreamAnswer> {
    return this.policy.execute(
      ({ signal: attemptSignal }) => this.post(body, requestId, attemptSignal),
      signal,
    );
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private async post(
    body: string | Buffer,
    requestId: string,
    signal: AbortSignal,
  ): Promise<UpstreamAnswer> {
    const { status, payload } = await this.exchange(body, requestId, signal);
    if (status >= 400 && status < 500 && status !== 429) {
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
    if (!isJsonObject(payload)) {
      throw new UpstreamFailure(
        'the upstream answered with a body that is not a JSON object',
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
    signal: AbortSignal,
  ): Promise<{ status: number; payload: Buffer }> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      let answered = false;
      let timedOut = false;
      // The client's signal is watched here rather than handed to
      // http.request, which hooks it up through end-of-stream on every request.
      const onAbort = () => request.destroy(abortError(signal));
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy();
      }, this.timeoutMs);
      const fail = (error: Error & { code?: string }) => {
        settle();
        if (signal.aborted) return reject(error);
        if (timedOut) {
          return reject(new TaskCancelledError(`Operation timed out after ${this.timeoutMs}ms`));
        }
        if (answered) {
          return reject(
            new UpstreamFailure(`the upstream's answer broke off: ${error.message}`, false),
          );
        }
        // A pooled connection the container closed while idle resets on reuse
        // before the request is read: Node's documentation advises retrying that.
        const notDelivered =
          (error.code !== undefined && CONNECT_ERRORS.has(error.code)) ||
          (error.code === 'ECONNRESET' && request.reusedSocket);
        reject(
          new UpstreamFailure(
            `no answer from the upstream: ${error.code ?? error.message}`,
            notDelivered,
          ),
        );
      };
      const request = this.send(
        {
          // Host, port and path taken apart once: a URL here is re-parsed on every request.
          protocol: this.target.protocol,
          hostname: this.target.hostname,
          port: this.target.port,
          path: this.target.path,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            accept: 'application/json',
            'x-request-id': requestId,
          },
        },
        (response) => {
          answered = true;
          // An answer is a few kilobytes: usually one chunk, kept without a copy.
          let first: Buffer | undefined;
          let rest: Buffer[] | undefined;
          response.on('data', (chunk: Buffer) => {
            if (first === undefined) first = chunk;
            else (rest ??= [first]).push(chunk);
          });
          response.on('error', fail);
          response.on('end', () => {
            settle();
            resolve({
              status: response.statusCode ?? 0,
              payload: rest ? Buffer.concat(rest) : (first ?? EMPTY),
            });
          });
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', fail);
      request.end(body);
    });
  }
}

const EMPTY = Buffer.alloc(0);

/** What a cancelled exchange rejects with: the signal's reason, as fetch and http.request do. */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
}

function isJsonObject(payload: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
