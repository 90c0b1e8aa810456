import express, { type Express } from 'express';
import type { BackendConfig } from '@docuthinker/config';
import type { DependencyCheck, Logger } from '@docuthinker/runtime';
import { requestLogging } from './middleware/request-logging';
import { problemResponses, routeNotFound } from './middleware/problem-responses';
import { healthRoutes } from './routes/meta/health-routes';

export interface BackendDependencies {
  config: BackendConfig;
  logger: Logger;
  readinessChecks: readonly DependencyCheck[];
}

/** Builds the Express app from its dependencies; it opens no sockets itself. */
export function createBackendApp({ logger, readinessChecks }: BackendDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, uniquelocal');
  app.use(requestLogging(logger));
  app.use(express.json({ limit: '1mb', strict: true }));
  app.use(healthRoutes(readinessChecks));
  app.use(routeNotFound);
  app.use(problemResponses);
  return app;
}
