import type { Server } from 'node:http';
import type { Logger } from 'pino';

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
}

/**
 * The one place a service stops: on SIGTERM or SIGINT it runs the steps in
 * order and exits 0; a step that fails is logged and the rest still run.
 * If everything together overruns the drain timeout (plus a margin for
 * closing adapters), or a second signal arrives, it exits 1 at once.
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
          await step.run();
        } catch (error) {
          options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(hardDeadline);
      options.logger.info('stopped');
      options.logger.flush?.();
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
  return () => shutdown('requested');
}

/**
 * Stops accepting connections and lets in-flight requests finish for up to
 * `drainTimeoutMs`, closing keep-alive connections as they go idle (Node only
 * closes those idle at the moment close() is called); whatever is still open
 * after that is cut. `close` lets a framework (Fastify) run its own close
 * around the server's.
 */
export async function closeHttpServer(
  server: Server,
  drainTimeoutMs: number,
  close: () => Promise<unknown> = () =>
    new Promise<void>((resolve) => server.close(() => resolve())),
): Promise<void> {
  if (!server.listening) return;
  const closed = close();
  server.closeIdleConnections();
  const idleSweeper = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
  if (outcome === 'timeout') server.closeAllConnections();
  await closed;
  clearInterval(idleSweeper);
  clearTimeout(timer);
}
