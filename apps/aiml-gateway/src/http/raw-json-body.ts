import type { FastifyInstance, FastifyRequest } from 'fastify';

const rawBodies = new WeakMap<FastifyRequest, string>();

/**
 * Parses JSON bodies in `scope` exactly as Fastify's default parser does
 * (same prototype-poisoning checks, same errors) and keeps the text it
 * parsed, so a route that forwards the body (the `/analyze` proxy) can send
 * the client's bytes on instead of serialising the parsed object again.
 */
export function keepRawJsonBody(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request, body as string);
    parseJson(request, body as string, done);
  });
}

/** The JSON text the request's body was parsed from, in a scope with `keepRawJsonBody`. */
export function rawJsonBody(request: FastifyRequest): string | undefined {
  return rawBodies.get(request);
}
