import type { FastifyInstance, FastifyRequest } from 'fastify';

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/**
 * Parses JSON bodies in `scope` exactly as Fastify's default parser does
 * (same prototype-poisoning checks, same errors) and keeps the bytes it
 * parsed, so a route that forwards the body (the `/analyze` proxy) can send
 * the client's bytes on instead of serialising the parsed object again.
 */
export function keepRawJsonBody(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  // Read as bytes: forwarding them needs no re-encoding.
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    rawBodies.set(request, body as Buffer);
    parseJson(request, (body as Buffer).toString('utf8'), done);
  });
}

/** The bytes the request's JSON body was parsed from, in a scope with `keepRawJsonBody`. */
export function rawJsonBody(request: FastifyRequest): Buffer | undefined {
  return rawBodies.get(request);
}
