import type { Request } from 'express';

/** Requests refused before any route matched them, with the area their path is under. */
const refusedAreas = new WeakMap<Request, string>();

/**
 * For a request refused before routing (a 401 of `authenticate`): the area
 * its path is under, `/api/documents/*`, as its route pattern. Its logs and
 * metrics then say which API was called without valid credentials, instead
 * of counting it with requests for paths that do not exist.
 */
export function recordRefusedArea(req: Request, prefix: string): void {
  refusedAreas.set(req, `${prefix}/*`);
}

/**
 * The pattern of the route that answered, under its router's mount path
 * (`/api/documents/:id`), or the area of a request refused before routing
 * (see recordRefusedArea), for metric labels and log lines; undefined when
 * no route matched. Read once the response is over, as Express leaves them.
 */
export function routePatternOf(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : refusedAreas.get(req);
}
