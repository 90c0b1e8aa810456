import type { AiEngine } from '@docuthinker/ai-engine';
import type { Logger } from '@docuthinker/runtime';
import type { DocumentAnalyzer } from '../analyze/document-analyzer';
import { problem } from '../errors';
import { connectionFailureDetail, isStoreOutage } from './connection-failure';

/** What the routes work with once the stores are connected. */
export interface GatewayServices {
  readonly engine: AiEngine;
  readonly analyzer: DocumentAnalyzer;
}

export interface EngineConnectionOptions {
  readonly logger: Logger;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

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
  private connecting?: Promise<void>;

  private constructor(
    private readonly connect: () => Promise<GatewayServices>,
    private readonly options: EngineConnectionOptions,
  ) {}

  /** Starts connecting in the background. */
  static start(
    connect: () => Promise<GatewayServices>,
    options: EngineConnectionOptions,
  ): EngineConnection {
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

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.connecting;
    this.services?.analyzer.close();
    await this.services?.engine.close();
  }

  private attempt(nextDelayMs: number): void {
    this.connecting = this.connect().then(
      async (services) => {
        if (this.closed) {
          services.analyzer.close();
          await services.engine.close();
          return;
        }
        this.services = services;
        if (this.failure) this.options.logger.info('ai engine connected to its stores');
      },
      (error: unknown) => {
        this.failure = (error as Error).message;
        this.failureDetail = connectionFailureDetail(error);
        if (this.closed) return;
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
      },
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
