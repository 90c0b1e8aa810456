import cors, {
  type FastifyCorsOptions,
  type FastifyCorsOptionsDelegateCallback,
} from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { CROSS_ORIGIN_POLICY, isOptionsWithoutPreflight } from '@docuthinker/runtime';

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
  // An OPTIONS request that is no preflight is left to the router (its 405
  // problem+json); @fastify/cors would answer it 400 in plain text.
  const notCrossOrigin: FastifyCorsOptions = { ...policy, origin: false };
  const optionsFor: FastifyCorsOptionsDelegateCallback = (request, callback) => {
    const leftToRouter = isOptionsWithoutPreflight(request.method, request.headers);
    callback(null, leftToRouter ? notCrossOrigin : policy);
  };
  void app.register(cors, () => optionsFor);
}
