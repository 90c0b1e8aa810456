import type { ErrorRequestHandler, Request } from 'express';

/** Requests refused before any route matched them, with the area their path is under. */
const refusedAreas = new WeakMap<Request, string>();

/**
 * An error handler for ahead of the one that answers: a request refused
 * before any route matched it (a 401 of `authenticate`, a body the JSON
 * parser refused or found too large) is labelled with the area its path is
 * under, `/api/documents/*`, as its route pattern. Its logs and metrics then
 * say which API was called with a request it could not take, instead of
 * counting it with requests for paths that do not exist. Areas are matched
 * as Express matches routes: segment-wise, ignoring case.
 */
export function labelRefusalsByArea(areas: readonly string[]): ErrorRequestHandler {
  const prefixes = areas.map((area) => area.toLowerCase());
  return (error: unknown, req, _res, next) => {
    if (req.route === undefined) {
      const path = req.path.toLowerCase();
      const area = prefixes.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
      if (area !== undefined) refusedAreas.set(req, `${area}/*`);
    }
    next(error);
  };
}

/**
 * The pattern of the route that answered, under its router's mount path
 * (`/api/documents/:id`), or the area of a request refused before routing
 * (see labelRefusalsByArea), for metric labels and log lines; undefined when
 * no route matched. Read once the response is over, as Express leaves them.
 */
export function routePatternOf(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : refusedAreas.get(req);
}
