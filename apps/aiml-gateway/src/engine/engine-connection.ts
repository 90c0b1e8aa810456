import { TaskCancelledError, timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import type { AiEngine } from '@docuthinker/ai-engine';
import type { Logger } from '@docuthinker/runtime';
import type { DocumentAnalyzer } from '../analyze/document-analyzer';
import { problem } from '../errors';
import {
  connectionFailureDetail,
  isStoreOutage,
  StoreConnectTimeoutError,
} from './connection-failure';

/** What the routes work with once the stores are connected. */
export interface GatewayServices {
  readonly engine: AiEngine;
  readonly analyzer: DocumentAnalyzer;
}

/**
 * Builds the services. `signal` aborts when the attempt is abandoned (its
 * deadline passed, or the connection was closed), never after it ended:
 * a connect that can cancel its requests should pass it on.
 */
export type ConnectEngine = (signal: AbortSignal) => Promise<GatewayServices>;

export interface EngineConnectionOptions {
  readonly logger: Logger;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
  /** How long one connect attempt may take before it counts as a store outage. */
  readonly attemptTimeoutMs?: number;
}

/**
 * A healthy store connects within a second or two: Chroma's collection
 * lookup and Neo4j's handshake plus its schema statements, a few round
 * trips each, a little longer for a store just started on a cold volume or
 * a managed instance resuming. 15 s leaves ample room for that, yet a store
 * that accepts connections and never answers is reported down, and retried,
 * after 15 s instead of the drivers' own limits (Chroma's client waits for
 * undici's 300 s header timeout, Neo4j's driver 60 s per attempt).
 */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;

/** Said to clients until the first attempt has failed or succeeded. */
const CONNECTING_DETAIL = 'the AI engine is still connecting to its stores';

/**
 * Holds the AI engine while its stores (Chroma, Neo4j) may still be out of
 * reach. The process starts serving at once — liveness is about the process,
 * readiness about its stores — and keeps connecting with backoff; until it
 * succeeds, `/ready` reports why and API routes answer 503. Only a store
 * outage is retried: any other failure (see isStoreOutage) ends the attempts
 * and is reported through `failedForGood`, for the process to stop.
 */
export class EngineConnection {
  private services?: GatewayServices;
  /** The last failure's own message: for the log and `/ready`, never for clients. */
  private failure?: string;
  private failureDetail = CONNECTING_DETAIL;
  private permanentFailure?: Error;
  private reportPermanentFailure: (error: Error) => void = () => undefined;
  /** Resolves, once, when connecting failed in a way that retrying cannot mend. */
  readonly failedForGood = new Promise<Error>((resolve) => {
    this.reportPermanentFailure = resolve;
  });
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** Aborted by `close()`: abandons the attempt in flight at once. */
  private readonly lifetime = new AbortController();
  private readonly attemptTimeoutMs: number;
  /**
   * Aggressive: a connect that ignores its signal (a driver waiting on a
   * silent socket) is given up on at the deadline all the same. The signal
   * is not aborted when a connect ends, for a connect whose services keep it.
   */
  private readonly attemptPolicy: TimeoutPolicy;
  private connecting?: Promise<void>;
  /** Aborts the attempt in flight, made redundant once other services are in use. */
  private attemptInFlight?: AbortController;

  private constructor(
    private readonly connect: ConnectEngine,
    private readonly options: EngineConnectionOptions,
  ) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.attemptPolicy = timeout(this.attemptTimeoutMs, {
      strategy: TimeoutStrategy.Aggressive,
      abortOnReturn: false,
    });
  }

  /** Starts connecting in the background. */
  static start(connect: ConnectEngine, options: EngineConnectionOptions): EngineConnection {
    const connection = new EngineConnection(connect, options);
    connection.attempt(options.initialRetryMs ?? 500);
    return connection;
  }

  /** Wraps services that are already connected (tests, tools). */
  static of(services: GatewayServices, logger: Logger): EngineConnection {
    const connection = new EngineConnection(async () => services, { logger });
    connection.services = services;
    return connection;
  }

  /**
   * Resolves once the first attempt has succeeded or failed, or after
   * `timeoutMs`, whichever comes first: a process whose stores are up is
   * ready when it starts listening, and one whose stores hang still starts.
   */
  async firstAttempt(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connecting,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  get current(): GatewayServices | undefined {
    return this.services;
  }

  /** Why the engine is not connected yet, when it is not (the driver's words, for `/ready`). */
  get lastFailure(): string | undefined {
    return this.services ? undefined : (this.failure ?? 'connecting');
  }

  /** The failure that ended the attempts, if one did. */
  get failedPermanently(): Error | undefined {
    return this.permanentFailure;
  }

  /**
   * For route handlers: the services, or 503 while the stores are out of
   * reach. The detail names the store only: this answer reaches users
   * through the load balancer.
   */
  require(): GatewayServices {
    if (this.services) return this.services;
    throw problem('DT_ERR_ENGINE_UNAVAILABLE', this.failureDetail, {
      headers: { 'retry-after': '5' },
    });
  }

  /**
   * Never waits on a connect in flight: a hung one is abandoned here (and
   * closed if it succeeds later), so that shutdown keeps its deadline.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.lifetime.abort();
    // Settles at once now: the abort ends the attempt's race with its deadline.
    await this.connecting;
    if (this.services) await this.dispose(this.services);
  }

  private attempt(nextDelayMs: number): void {
    let pending: Promise<GatewayServices> | undefined;
    let attemptSignal: AbortSignal | undefined;
    const inFlight = new AbortController();
    this.attemptInFlight = inFlight;
    this.connecting = this.attemptPolicy
      .execute(
        ({ signal }) => {
          attemptSignal = signal;
          pending = this.connect(signal);
          return pending;
        },
        AbortSignal.any([this.lifetime.signal, inFlight.signal]),
      )
      .then(
        (services) => this.adopt(services, inFlight),
        (error: unknown) => {
          // Aborted by the deadline, by close() or by another attempt's
          // services taken into use, never when the connect ends. (cockatiel
          // 3.2.1's isTaskCancelledError tests the wrong field and is always
          // false: hence instanceof.)
          if (error instanceof TaskCancelledError && attemptSignal?.aborted) {
            this.abandon(pending);
            if (this.closed) return;
            this.failed(
              new StoreConnectTimeoutError(this.attemptTimeoutMs, { cause: error }),
              nextDelayMs,
            );
            return;
          }
          if (this.closed) return;
          this.failed(error, nextDelayMs);
        },
      );
  }

  /**
   * Takes connected services into use, unless the connection was closed or
   * other services already are (an attempt given up on that succeeded after
   * all, and its retry): those are closed.
   */
  private async adopt(services: GatewayServices, from?: AbortController): Promise<void> {
    if (this.settled) {
      await this.dispose(services);
      return;
    }
    this.services = services;
    // A retry waiting to run, or running, has nothing left to do. (Not the
    // attempt these came from: its services may keep its signal.)
    clearTimeout(this.timer);
    if (this.attemptInFlight !== from) this.attemptInFlight?.abort();
    if (this.failure) this.options.logger.info('ai engine connected to its stores');
  }

  /**
   * A connect given up on may still settle. A success is used if nothing
   * else has connected meanwhile (stores that always take a little longer
   * than the deadline would otherwise be connected to, and let go, for
   * ever), and closed otherwise; a failure says nothing new.
   */
  private abandon(pending: Promise<GatewayServices> | undefined): void {
    void pending?.then(
      async (services) => {
        if (!this.settled) {
          this.options.logger.warn(
            { attemptTimeoutMs: this.attemptTimeoutMs },
            'ai engine connected after its attempt was given up on; using that connection',
          );
        }
        await this.adopt(services);
      },
      () => undefined,
    );
  }

  private async dispose(services: GatewayServices): Promise<void> {
    try {
      services.analyzer.close();
      await services.engine.close();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'closing the ai engine failed');
    }
  }

  /** Nothing more to connect: closed, connected, or failed for good. */
  private get settled(): boolean {
    return this.closed || this.services !== undefined || this.permanentFailure !== undefined;
  }

  private failed(error: unknown, nextDelayMs: number): void {
    // An attempt made redundant (another connected, or one failed for good) says nothing.
    if (this.settled) return;
    this.failure = (error as Error).message;
    this.failureDetail = connectionFailureDetail(error);
    if (!isStoreOutage(error)) {
      this.failPermanently(error as Error);
      return;
    }
    this.options.logger.warn(
      { err: error, retryInMs: nextDelayMs },
      'ai engine cannot reach its stores yet; retrying',
    );
    this.timer = setTimeout(
      () => this.attempt(Math.min(nextDelayMs * 2, this.options.maxRetryMs ?? 30000)),
      nextDelayMs,
    );
  }

  private failPermanently(error: Error): void {
    this.permanentFailure = error;
    this.options.logger.error(
      { err: error },
      `ai engine cannot start, and retrying will not help: ${error.message}`,
    );
    this.reportPermanentFailure(error);
  }
}
