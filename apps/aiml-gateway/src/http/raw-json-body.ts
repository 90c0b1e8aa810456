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

/**
 * Fastify's default JSON parser (prototype-poisoning checks as errors) as a
 * plain function: returns the value or throws the error Fastify would answer.
 */
export function defaultJsonParserOf(app: FastifyInstance): (text: string) => unknown {
  const parser = app.getDefaultJsonParser('error', 'error');
  return (text) => {
    let parsed: { error: Error | null; value?: unknown } = { error: null };
    // The default parser calls back synchronously.
    parser(undefined as never, text, (error, value) => {
      parsed = { error, value };
    });
    if (parsed.error) throw parsed.error;
    return parsed.value;
  };
}
