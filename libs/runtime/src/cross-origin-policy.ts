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
