import type { RequestHandler } from 'express';
import type { AccessTokens } from '../auth/access-tokens';
import type { LiveAccounts } from '../auth/live-accounts';
import { problem } from '../errors';

/** Who is calling: the token's subject, whose account existed when the request began. */
export interface AuthenticatedUser {
  readonly id: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated user; set by `authenticate` on every protected route. */
    user?: AuthenticatedUser;
  }
}

/**
 * Requires `Authorization: Bearer <accessToken>` and checks that its subject
 * still has an account. A token of a deleted account is refused, so nothing
 * can be written on behalf of a user that no longer exists. Routes that need
 * the account's fields load them fresh; the rest only need the id.
 */
export function authenticate(tokens: AccessTokens, accounts: LiveAccounts): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    const userId = match?.[1] ? await tokens.verify(match[1]) : null;
    if (!userId || !(await accounts.exists(userId))) {
      throw problem('DT_ERR_UNAUTHENTICATED', undefined, {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    req.user = { id: userId };
    next();
  };
}

/** The authenticated user of a route behind `authenticate`. */
export function currentUser(req: { user?: AuthenticatedUser }): AuthenticatedUser {
  if (!req.user) throw problem('DT_ERR_UNAUTHENTICATED');
  return req.user;
}
