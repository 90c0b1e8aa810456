import type { Request } from 'express';

/**
 * The pattern of the route that answered, under its router's mount path
 * (`/api/documents/:id`), for metric labels and log lines; undefined when
 * no route matched. Read once the response is over, as Express leaves them.
 */
export function routePatternOf(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : undefined;
}
