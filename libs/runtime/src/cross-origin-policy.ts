import type { IncomingHttpHeaders } from 'node:http';

/**
 * What both services allow a browser page on a configured origin
 * (DOCUTHINKER_CORS_ORIGINS), so the web app meets one policy whichever
 * service it calls. Each service adds its own methods and exposed headers.
 */
export const CROSS_ORIGIN_POLICY = {
  /** The request headers the web app sends: its bearer token, JSON bodies, its own request id. */
  allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Accept'],
  /** Response headers every page may read: the request id to quote, and when to retry. */
  exposedHeaders: ['X-Request-Id', 'Retry-After'],
  /** How long a browser may reuse a preflight's answer, in seconds. */
  maxAgeSeconds: 600,
} as const;

/**
 * An OPTIONS request that is no CORS preflight (a preflight carries `Origin`
 * and `Access-Control-Request-Method`). It is no CORS exchange, and both
 * services answer it as any method a path is not served with (405 with
 * Allow, or 404), whether or not origins are configured (found in review:
 * one answered 400 in plain text, the other 200 or 204 with an empty body).
 */
export function isOptionsWithoutPreflight(
  method: string | undefined,
  headers: IncomingHttpHeaders,
): boolean {
  return (
    method === 'OPTIONS' &&
    (headers.origin === undefined || headers['access-control-request-method'] === undefined)
  );
}
