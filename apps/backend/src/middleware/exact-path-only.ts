import type { RequestHandler } from 'express';

/**
 * For a route that destroys many things at once: passes a path with a
 * trailing slash on to the next route (the 404 where no other matches).
 * Express matches `/api/documents/` for `/api/documents`, and a client
 * building `/api/documents/${id}` with an empty id deleted every document of
 * its user (found in an exploratory test).
 */
export const exactPathOnly: RequestHandler = (req, _res, next) => {
  next(req.path.endsWith('/') ? 'route' : undefined);
};
