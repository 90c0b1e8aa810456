import type { FastifyInstance, FastifyRequest } from 'fastify';
import { announcesBody, listedErrors } from '@docuthinker/runtime';
import { problem } from '../errors';

/**
 * Refuses a query string on a route that declares none, and a body on one
 * that takes none, with 400 rather than ignoring them. Found in an
 * exploratory test: a user's `DELETE /ai/v1/index` with `{"ownerId": …}` in
 * its body (as `axios.delete(url, {data})` sends it) erased the caller's own
 * whole index, its `ownerId` never read; `POST /ai/v1/search?ownerId=…`
 * searched the caller's documents. A client that puts a field where the
 * route does not look for it learns so before anything happens.
 */
export function registerUndeclaredRequestParts(scope: FastifyInstance): void {
  // Callback style: this runs on every API call, and most have nothing to refuse.
  scope.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema;
    if (!schema?.querystring) {
      const names = Object.keys(request.query as object);
      if (names.length > 0) {
        return done(
          problem('DT_ERR_VALIDATION', 'this route takes no query parameters', {
            errors: listedErrors(
              names.map((name) => ({
                path: `querystring.${name.slice(0, 100)}`,
                message: 'is not allowed',
              })),
              'querystring',
            ),
          }),
        );
      }
    }
    if (!schema?.body && carriesBody(request)) {
      return done(bodyNotTaken());
    }
    done();
  });
}

/** The answer to a body on a route that takes none, whichever parser read it. */
export function bodyNotTaken() {
  return problem('DT_ERR_VALIDATION', 'this route takes no request body');
}

/**
 * Fastify parses no body for a GET or HEAD, whatever it carries (found in an
 * exploratory test: a GET with a JSON body was answered 200): the headers
 * say. For other methods the parsers have read it, and an empty body (a
 * DELETE's, chunked or not) leaves none; JSON `null` is a body.
 */
function carriesBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return announcesBody(request.headers);
  return request.body !== undefined;
}
