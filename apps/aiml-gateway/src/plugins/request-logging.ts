import type { FastifyInstance } from 'fastify';
import { logRequestEnd, UNLOGGED_REQUEST_PATHS, type Logger } from '@docuthinker/runtime';

/**
 * One line per request, as the backend writes (see logRequestEnd), in place
 * of Fastify's two: at the default level, info, Fastify's pair was the
 * larger part of what a proxied `/analyze` cost (docs/benchmarks.md), and
 * its `incoming request` line says nothing the completion line does not.
 * Liveness probes get none. Needs the app's LogController to disable request logging.
 */
export function registerRequestLogging(app: FastifyInstance, logger: Logger): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!UNLOGGED_REQUEST_PATHS.has(request.url.split('?', 1)[0] ?? request.url)) {
      const startedAt = performance.now();
      // A response emits 'close' exactly once: after it was sent, or when
      // the client hung up first (then it was never ended).
      reply.raw.once('close', () => {
        logRequestEnd(
          logger,
          { id: request.id, method: request.method, url: request.url },
          {
            statusCode: reply.statusCode,
            finished: reply.raw.writableEnded,
            responseTimeMs: performance.now() - startedAt,
          },
        );
      });
    }
    done();
  });
}
