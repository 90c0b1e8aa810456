import type { RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';

/** helmet's defaults (CSP, HSTS, nosniff, frame denial…) and CORS for the configured origins only. */
export function securityHeaders(corsOrigins: readonly string[]): RequestHandler[] {
  return [
    helmet(),
    cors({
      origin: corsOrigins.length > 0 ? [...corsOrigins] : false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Accept'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location'],
      maxAge: 600,
    }),
  ];
}
