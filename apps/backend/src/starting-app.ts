import express, { type Express } from 'express';
import type { Logger } from '@docuthinker/runtime';
import { problem } from './errors';
import { problemResponses } from './middleware/problem-responses';
import { requestLogging } from './middleware/request-logging';
import { securityHeaders } from './middleware/security-headers';
import { healthRoutes } from './routes/meta/health-routes';

/** Seconds a client should wait before retrying while the stores connect. */
const RETRY_AFTER_SECONDS = 5;

/**
 * What the port serves while the stores cannot be opened yet (a database
 * still starting): alive for the orchestrator, not ready, and a 503 with
 * Retry-After for everything else, instead of refusing connections.
 */
export function createStartingApp(logger: Logger, corsOrigins: readonly string[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(logger));
  // The headers every answer of the service carries, no-store included
  // (found in review: the 503s had none of them).
  app.use(securityHeaders(corsOrigins));
  app.use(express.json({ limit: '1mb', strict: true }));
  app.use(
    healthRoutes([
      {
        name: 'stores',
        check: () => Promise.reject(new Error('connecting')),
      },
    ]),
  );
  app.use(() => {
    throw problem('DT_ERR_STARTING', 'The stores are still connecting.', {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    });
  });
  app.use(problemResponses);
  return app;
}
