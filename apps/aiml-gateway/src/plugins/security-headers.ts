import type { FastifyInstance, FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { headerChangesOf } from '@docuthinker/runtime';

/**
 * helmet's defaults, which the backend sends on every answer, so a browser
 * that reaches `/ai/*` through the load balancer gets the same protection:
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
 * `Strict-Transport-Security` (a year, subdomains; whatever NODE_ENV, as the
 * backend sends it: a browser ignores it over plain HTTP, RFC 6797 §8.1), a
 * Content-Security-Policy of `'self'` that Swagger UI at `/api-docs` runs
 * under (its scripts are files, not inline), and `Cross-Origin-Resource-Policy:
 * same-origin`, which binds only loads without CORS (another site's `<img>`
 * or `<script>`), not a `fetch` in CORS mode: the web app on another origin
 * (DOCUTHINKER_CORS_ORIGINS) still reads the answers.
 *
 * One difference from the backend: nothing here is ever framed, so framing is
 * refused outright (`X-Frame-Options: DENY`, `frame-ancestors 'none'`) rather
 * than allowed to the same origin.
 */
export const SECURITY_HEADER_OPTIONS = {
  contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
  frameguard: { action: 'deny' },
} as const satisfies HelmetOptions;

/**
 * The headers helmet sets with those options, recorded once at start-up
 * (as the backend does): they do not depend on the request, and running
 * helmet on every request (@fastify/helmet) took a small answer from about
 * 28 to 62 µs of CPU.
 */
const { set: HEADERS } = headerChangesOf(helmet(SECURITY_HEADER_OPTIONS));

/** The headers above on an answer, set on the raw response as helmet sets them. */
export function setSecurityHeaders(reply: FastifyReply): void {
  for (const [name, value] of HEADERS) reply.raw.setHeader(name, value);
}

/**
 * The headers on every answer Fastify sends, refusals and unknown routes
 * included: a hook that runs first for every request. Fastify's
 * `frameworkErrors` answer before any hook, and call setSecurityHeaders.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    setSecurityHeaders(reply);
    done();
  });
}
