import cors, {
  type FastifyCorsOptions,
  type FastifyCorsOptionsDelegateCallback,
} from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CROSS_ORIGIN_POLICY } from '@docuthinker/runtime';

/**
 * An OPTIONS request that is no CORS preflight (no `Origin`, or no
 * `Access-Control-Request-Method`). @fastify/cors answers it 400 in plain
 * text ("Invalid Preflight Request"); left to the router, it is the 405
 * problem+json with `Allow` (or 404) every other unserved method gets, as
 * on a gateway without CORS (found in review).
 */
function isOptionsWithoutPreflight(request: FastifyRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    (request.headers.origin === undefined ||
      request.headers['access-control-request-method'] === undefined)
  );
}

/**
 * CORS for the configured browser origins only (DOCUTHINKER_CORS_ORIGINS,
 * the backend's list): the web app calls /ai/* itself with the user's token.
 * Without origins nothing is registered: no CORS header is sent and a
 * browser page on another origin cannot read an answer. Preflights are
 * answered before authentication, which they cannot pass (a browser sends
 * no Authorization with them).
 */
export function registerCrossOrigin(app: FastifyInstance, corsOrigins: readonly string[]): void {
  if (corsOrigins.length === 0) return;
  const policy: FastifyCorsOptions = {
    origin: [...corsOrigins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: [...CROSS_ORIGIN_POLICY.allowedHeaders],
    exposedHeaders: [...CROSS_ORIGIN_POLICY.exposedHeaders],
    maxAge: CROSS_ORIGIN_POLICY.maxAgeSeconds,
  };
  const notCrossOrigin: FastifyCorsOptions = { ...policy, origin: false };
  const optionsFor: FastifyCorsOptionsDelegateCallback = (request, callback) => {
    callback(null, isOptionsWithoutPreflight(request) ? notCrossOrigin : policy);
  };
  void app.register(cors, () => optionsFor);
}
