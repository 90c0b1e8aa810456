import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Handlers that serve only paths under one of `prefixes`. */
export interface PrefixedRoutes {
  readonly prefixes: readonly string[];
  readonly routes: RequestHandler;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The path itself or below it, segment-wise and case-insensitive, as Express matches routes. */
export const underAny = (prefixes: readonly string[]) =>
  new RegExp(`^(?:${prefixes.map(escapeRegExp).join('|')})(?:/|$)`, 'i');

/**
 * One middleware that hands a request, in table order, to the entries whose
 * prefixes cover its path, exactly as if each entry were its own `app.use`
 * layer that skips other paths. Every router mounted at '/' made each
 * request walk the route table of every router, and each app-level layer
 * costs a visit of Express's router (matching, `req.params` bookkeeping): a
 * measurable share of a cached document listing. `app.use(prefix, router)`
 * would skip them too, but it strips the prefix from `req.url` and
 * `req.baseUrl` inside the router, while the route patterns in the metrics
 * and the paths in problem documents are full paths; here every handler
 * sees the full path.
 */
export function routesByPrefix(table: readonly PrefixedRoutes[]): RequestHandler {
  const entries = table.map(({ prefixes, routes }) => ({ under: underAny(prefixes), routes }));
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    let index = 0;
    const step = (error?: unknown): void => {
      // As in Express: 'route' only ends the current handler; falsy is no error.
      if (error && error !== 'route') {
        next(error);
        return;
      }
      while (index < entries.length) {
        const entry = entries[index++];
        if (!entry?.under.test(path)) continue;
        // Express passes a rejected promise of an async handler on as an error; so does this.
        const result: unknown = entry.routes(req, res, step);
        if (result instanceof Promise) {
          result.then(undefined, (failure: unknown) =>
            next(failure ?? new Error('Rejected promise')),
          );
        }
        return;
      }
      next();
    };
    step();
  };
}
