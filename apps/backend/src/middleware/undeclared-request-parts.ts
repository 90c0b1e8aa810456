import type { RequestHandler } from 'express';
import { announcesBody, listedErrors, routePathPattern } from '@docuthinker/runtime';
import type { ApiOperation } from '../api/api-operations';
import { problem } from '../errors';

interface DeclaredParts {
  readonly method: string;
  readonly path: RegExp;
  readonly takesQuery: boolean;
  readonly takesBody: boolean;
}

/**
 * Refuses, with 400 and before anything happens, a query string on an
 * operation that declares no query and a body on one that takes none, as the
 * gateway does. Found in an exploratory test: `DELETE /api/documents` with
 * `{"ids": [one id]}` deleted every document of its user, `?id=` the same,
 * and `DELETE /api/me?dryRun=true` erased the account; a client that puts a
 * field where the route does not read it must learn so. Operations come from
 * API_OPERATIONS, the list /openapi.json is made from; other paths (health,
 * metrics, docs) pass, and so does anything no operation matches (404).
 */
export function undeclaredRequestParts(operations: readonly ApiOperation[]): RequestHandler {
  const declared: DeclaredParts[] = operations.map((operation) => ({
    method: operation.method.toUpperCase(),
    // As Express matches it: any case, an optional trailing slash.
    path: routePathPattern(operation.path, { caseSensitive: false, trailingSlash: true }),
    takesQuery: operation.query !== undefined,
    takesBody: operation.body !== undefined || operation.multipart !== undefined,
  }));
  return (req, _res, next) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const queryAt = req.url.indexOf('?');
    // Names only: `?` or `?&` alone name no parameter.
    const names =
      queryAt === -1
        ? []
        : [...new Set(new URLSearchParams(req.url.slice(queryAt + 1)).keys())].filter(Boolean);
    const body = announcesBody(req.headers);
    if (names.length === 0 && !body) return next();
    // `/api/documents/search` is also `/api/documents/{id}`: what any of the
    // matching operations takes is allowed.
    const matching = declared.filter(
      (operation) => operation.method === method && operation.path.test(req.path),
    );
    if (matching.length === 0) return next();
    if (names.length > 0 && !matching.some((operation) => operation.takesQuery)) {
      return next(
        problem('DT_ERR_VALIDATION', 'This operation takes no query parameters.', {
          errors: listedErrors(
            names.map((name) => ({
              path: name.slice(0, 100),
              message: 'is not a parameter of this operation',
            })),
            '(root)',
          ),
        }),
      );
    }
    if (body && !matching.some((operation) => operation.takesBody)) {
      return next(
        problem('DT_ERR_VALIDATION', 'This operation takes no request body.', {
          errors: [{ path: '(body)', message: 'is not taken by this operation' }],
        }),
      );
    }
    next();
  };
}
