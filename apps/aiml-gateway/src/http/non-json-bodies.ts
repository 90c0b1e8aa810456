import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from '../errors';
import { bodyNotTaken } from '../plugins/undeclared-request-parts';

/**
 * Bodies that are not JSON, or name no content type. A route that takes a
 * body takes JSON only: 415 at once, the body unread, as Fastify answered.
 *
 * A route that takes none (the DELETEs) was answered 415 too, before its own
 * check could say "this route takes no request body" (400, as for a JSON
 * body there), and so was an empty chunked body, which is no body at all
 * (found in review). There the body is read up to its first byte: none is
 * no body, and any is the 400 `registerUndeclaredRequestParts` gives a JSON one
 * (`bodyNotTaken`).
 */
export function parseNonJsonBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage, done) => {
    // An unknown route is answered 404 or 405 with its body unread, as without this parser.
    if (request.is404) return done(null, undefined);
    if (request.routeOptions.schema?.body) {
      return done(problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE'), undefined);
    }
    const stop = () => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      if (chunk.length === 0) return;
      stop();
      done(bodyNotTaken(), undefined);
    };
    const onEnd = () => {
      stop();
      done(null, undefined);
    };
    const onError = (error: Error) => {
      stop();
      done(error, undefined);
    };
    payload.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
