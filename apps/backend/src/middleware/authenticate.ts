import type { RequestHandler } from 'express';
import type { UserRecord, UserStore } from '@docuthinker/stores';
import type { AccessTokens } from '../auth/access-tokens';
import { problem } from '../errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated user; set by `authenticate` on every protected route. */
    user?: UserRecord;
  }
}

/**
 * Requires `Authorization: Bearer <accessToken>` and loads its subject. A
 * token of a deleted account is refused, so nothing can be written on
 * behalf of a user that no longer exists.
 */
export function authenticate(tokens: AccessTokens, users: UserStore): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    const userId = match?.[1] ? await tokens.verify(match[1]) : null;
    const user = userId ? await users.findById(userId) : null;
    if (!user) {
      throw problem('DT_ERR_UNAUTHENTICATED', undefined, {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    req.user = user;
    next();
  };
}

/** The authenticated user of a route behind `authenticate`. */
export function currentUser(req: { user?: UserRecord }): UserRecord {
  if (!req.user) throw problem('DT_ERR_UNAUTHENTICATED');
  return req.user;
}
