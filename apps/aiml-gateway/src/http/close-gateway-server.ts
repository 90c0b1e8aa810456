import type { FastifyInstance } from 'fastify';
import { closeHttpServer, stopAccepting } from '@docuthinker/runtime';

/**
 * The gateway's drain: stop accepting, let requests on open keep-alive
 * connections (a load balancer's, the backend's pool) still be answered, with
 * `connection: close`, and only then close Fastify (its onClose hooks). Calling
 * `app.close()` first closed every idle connection the moment SIGTERM arrived,
 * through http.Server#close, so a request already on its way on one was reset.
 */
export function closeGatewayServer(app: FastifyInstance, drainTimeoutMs: number): Promise<void> {
  return closeHttpServer(app.server, drainTimeoutMs, async () => {
    await stopAccepting(app.server);
    await app.close();
  });
}
