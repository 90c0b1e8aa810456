import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import pino, { type Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Upper bound for the whole shutdown, so ECS's stopTimeout is never what ends us. */
  drainTimeoutMs: number;
  /** Run in order: stop accepting and drain first, then close adapters. */
  steps: ShutdownStep[];
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
  /**
   * Also stop, as on SIGTERM, when the IPC channel to this process's parent
   * closes: the parent is a supervisor (`npm start`) and has gone. For the
   * services' entry points only; a process forked for another reason (a test
   * worker) must not stop, or lose its channel's hold on the event loop.
   */
  followSupervisor?: boolean;
}

/** How a drain by closeHttpServer ended. */
export interface DrainOutcome {
  /** The drain timeout expired and whatever was still open was cut. */
  timedOut: boolean;
  drainTimeoutMs: number;
  /**
   * Connections a request was still on when they were cut (0 on a clean
   * drain): each is a request its client saw fail.
   */
  requestsInFlight: number;
}

// A shutdown step reports its drain through this rather than a return value:
// steps and the services' own close functions (the gateway's
// closeGatewayServer) resolve to void, so closeHttpServer does too, and finds
// the running shutdown's reporter here instead.
const drainReporter = new AsyncLocalStorage<(outcome: DrainOutcome) => void>();

/** Logs a drain that was cut; a clean one needs no line of its own. */
function logDrainOutcome(logger: Logger, step: string, outcome: DrainOutcome): void {
  if (!outcome.timedOut) return;
  const requests = outcome.requestsInFlight === 1 ? 'request' : 'requests';
  logger.warn(
    { step, drainTimeoutMs: outcome.drainTimeoutMs, requestsInFlight: outcome.requestsInFlight },
    `drain timed out after ${outcome.drainTimeoutMs} ms: cut ${outcome.requestsInFlight} ${requests} in flight`,
  );
}

/**
 * The one place a service stops: on SIGTERM or SIGINT it runs the steps in
 * order and exits 0; a step that fails is logged and the rest still run.
 * If everything together overruns the drain timeout (plus a margin for
 * closing adapters), or a second signal arrives, it exits 1 at once.
 * A step whose closeHttpServer drain timed out logs a warning with the
 * number of requests it cut, before "stopped".
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): () => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let shuttingDown: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (shuttingDown) return shuttingDown;
    options.logger.info({ reason }, 'shutting down');
    const hardDeadline = setTimeout(() => {
      options.logger.error('shutdown overran its deadline; exiting');
      exit(1);
    }, options.drainTimeoutMs + 5000);
    hardDeadline.unref();
    shuttingDown = (async () => {
      for (const step of options.steps) {
        try {
          await drainReporter.run(
            (outcome) => logDrainOutcome(options.logger, step.name, outcome),
            () => step.run(),
          );
        } catch (error) {
          options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(hardDeadline);
      options.logger.info('stopped');
      await endLogStream(options.logger);
      exit(0);
    })();
    return shuttingDown;
  };

  for (const signal of signals) {
    process.on(signal, () => {
      if (shuttingDown) {
        options.logger.warn({ signal }, 'second signal during shutdown; exiting now');
        exit(1);
        return;
      }
      void shutdown(signal);
    });
  }
  // The channel closes when the supervisor goes, however it goes: killed
  // with SIGKILL, it cannot forward a signal. The service then stops as on
  // SIGTERM instead of living on as an orphan that holds its port.
  if (options.followSupervisor && process.channel) {
    process.once('disconnect', () => void shutdown('supervisor gone'));
    // The channel alone keeps no service running.
    process.channel.unref();
  }
  return () => shutdown('requested');
}

// Long enough for the last lines to be written, or fail, on any output
// stdout can have; short enough not to hold a stop up for long.
const LOG_SETTLE_MS = 1000;

interface EndableStream {
  end(): void;
  once(event: 'close' | 'error', listener: () => void): unknown;
}

/**
 * Ends the log stream (pino's asynchronous stdout writer) and resolves once
 * it has written its last lines and closed, or a write failed, or after
 * LOG_SETTLE_MS. Exiting with a line still in flight left it to pino's exit
 * hook, which writes synchronously, and that writer (sonic-boom 4) retries a
 * broken pipe for ever: with nobody reading stdout any more (a supervisor
 * killed with SIGKILL), a shutdown with nothing to drain never exited. A
 * failed write is reported before this resolves, and pino then stops writing.
 */
function endLogStream(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (!isEndable(stream)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, LOG_SETTLE_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('close', done);
    stream.once('error', done);
    stream.end();
  });
}

function isEndable(stream: unknown): stream is EndableStream {
  const candidate = stream as Partial<EndableStream> | undefined;
  return typeof candidate?.end === 'function' && typeof candidate.once === 'function';
}

// How long keep-alive connections that were idle when shutdown began stay
// open. A load balancer may already have picked one for its next request;
// closing it under that request would fail it (a reset, which nginx or an ALB
// cannot retry for a POST). Within the grace every connection that carries a
// request is retired by its own response instead (Connection: close).
const IDLE_CONNECTION_GRACE_MS = 1000;

/**
 * Stops accepting connections and lets in-flight requests finish for up to
 * `drainTimeoutMs`. Keep-alive connections are retired without a race: every
 * response from then on says `Connection: close`, and connections that stay
 * idle are closed only after a short grace, then as they go idle. Whatever is
 * still open after the drain timeout is cut, and the running shutdown (see
 * installGracefulShutdown) is told how many requests that cut. `close` lets a
 * framework (Fastify) run its own close around the server's; by default the
 * listener is closed without http.Server's immediate close of idle connections.
 */
export async function closeHttpServer(
  server: Server,
  drainTimeoutMs: number,
  close: () => Promise<unknown> = () => stopAccepting(server),
): Promise<void> {
  if (!server.listening) return;
  // Read now, while still in the shutdown step's async context.
  const report = drainReporter.getStore();
  const retire = (_request: IncomingMessage, response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };
  server.prependListener('request', retire);
  const closed = close();
  let idleSweeper: NodeJS.Timeout | undefined;
  const grace = setTimeout(
    () => {
      server.closeIdleConnections();
      idleSweeper = setInterval(() => server.closeIdleConnections(), 100);
    },
    Math.min(IDLE_CONNECTION_GRACE_MS, drainTimeoutMs),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
  if (outcome === 'timeout') {
    // Idle connections are the sweeper's anyway; closing them first leaves
    // only those a request is still on, which are the requests the cut fails.
    server.closeIdleConnections();
    const requestsInFlight = await openConnections(server);
    server.closeAllConnections();
    // Reported at the cut, not after `closed`: should closing still hang,
    // the hard deadline ends the process and this line is what explains it.
    report?.({ timedOut: true, drainTimeoutMs, requestsInFlight });
  }
  await closed;
  if (outcome === 'closed') report?.({ timedOut: false, drainTimeoutMs, requestsInFlight: 0 });
  clearTimeout(grace);
  clearInterval(idleSweeper);
  clearTimeout(timer);
  server.off('request', retire);
}

/**
 * Closes the listening socket only, resolving once every connection has
 * ended. Node's http.Server#close would also close every idle keep-alive
 * connection at once, the race described above.
 */
export function stopAccepting(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    NetServer.prototype.close.call(server, () => resolve());
  });
}

/**
 * The server's open connections. A socket leaves the count as it is destroyed
 * (not on its later 'close'), so the idle ones just closed are already out.
 */
function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((_error, count) => resolve(count ?? 0)));
}
