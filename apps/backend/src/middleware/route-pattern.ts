import type { ErrorRequestHandler, Request } from 'express';
import { underAny } from './routes-by-prefix';

/** Requests refused before any route matched them, with the area their path is under. */
const refusedAreas = new WeakMap<Request, string>();

/**
 * An error handler for ahead of the one that answers: a request refused
 * before any route matched it (a 401 of `authenticate`, a body the JSON
 * parser refused or found too large) is labelled with the area its path is
 * under, `/api/documents/*`, as its route pattern. Its logs and metrics then
 * say which API was called with a request it could not take, instead of
 * counting it with requests for paths that do not exist. Areas are matched
 * as routesByPrefix matches its prefixes (segment-wise, ignoring case).
 */
export function labelRefusalsByArea(areas: readonly string[]): ErrorRequestHandler {
  const matchers = areas.map((area) => ({
    label: `${area.toLowerCase()}/*`,
    under: underAny([area]),
  }));
  return (error: unknown, req, _res, next) => {
    if (req.route === undefined) {
      const area = matchers.find(({ under }) => under.test(req.path));
      if (area !== undefined) refusedAreas.set(req, area.label);
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
