import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GatewayConfig } from '@docuthinker/config';
import {
  REQUEST_ID_HEADER,
  requestIdFrom,
  type DependencyCheck,
  type Logger,
} from '@docuthinker/runtime';
import { registerProblemResponses } from './plugins/problem-responses';
import { registerHealthRoutes } from './routes/meta/health-routes';

export interface GatewayDependencies {
  config: GatewayConfig;
  logger: Logger;
  readinessChecks: readonly DependencyCheck[];
}

/** Builds the Fastify app from its dependencies; it does not listen. */
export function createGatewayApp({
  logger,
  readinessChecks,
}: GatewayDependencies): FastifyInstance {
  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast keeps FastifyInstance's default generics.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: 'loopback,uniquelocal',
    keepAliveTimeout: 65_000, // above the ALB's 60 s idle timeout
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  registerProblemResponses(app);
  registerHealthRoutes(app, readinessChecks);
  return app;
}
