import type { Request, RequestHandler } from 'express';
import { ACCESS_TOKEN_TTL_SECONDS, BEARER_CREDENTIALS } from '@docuthinker/contracts';
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
 * One detail for every refusal: which of these it was would tell a holder of
 * a stolen token whether the account still exists. It says what to do about
 * each (found in an operator walkthrough: a bare 401 left them guessing).
 */
export const UNAUTHENTICATED_DETAIL = `The access token is missing, malformed, expired (tokens last ${ACCESS_TOKEN_TTL_SECONDS / 60} minutes) or no longer valid after a password change or account deletion: log in again (POST /api/auth/login) for a new one.`;

function unauthenticated() {
  return problem('DT_ERR_UNAUTHENTICATED', UNAUTHENTICATED_DETAIL, {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}

/**
 * The user an `Authorization` header names, when that is already known
 * without waiting: a token verified before, of an account confirmed within
 * the last few seconds. Undefined means "ask the stores", not "refused".
 */
export function knownUserId(
  authorization: string | undefined,
  tokens: AccessTokens,
  accounts: LiveAccounts,
): string | undefined {
  const token = BEARER_CREDENTIALS.exec(authorization ?? '')?.[1];
  const access = token === undefined ? undefined : tokens.verified(token);
  return access !== undefined && accounts.acceptsKnown(access) ? access.userId : undefined;
}

/**
 * Requires `Authorization: Bearer <accessToken>` and checks that its subject
 * still has an account and the token predates no password change. A token of
 * a deleted account is refused, so nothing can be written on behalf of a user
 * that no longer exists. Routes that need the account's fields load them
 * fresh; the rest only need the id.
 *
 * A token that verified before, of an account confirmed within the last few
 * seconds (the caches of `AccessTokens` and `LiveAccounts`), is let through
 * without waiting on either: the same answer, with no promise to settle on
 * every request of a client that keeps its token.
 */
export function authenticate(tokens: AccessTokens, accounts: LiveAccounts): RequestHandler {
  const verifyFully = async (req: Request): Promise<string> => {
    const token = BEARER_CREDENTIALS.exec(req.headers.authorization ?? '')?.[1];
    const access = token ? await tokens.verify(token) : null;
    if (!access || !(await accounts.accepts(access))) throw unauthenticated();
    return access.userId;
  };
  return (req, _res, next) => {
    const known = knownUserId(req.headers.authorization, tokens, accounts);
    if (known !== undefined) {
      req.user = { id: known };
      next();
      return undefined;
    }
    return verifyFully(req).then((userId) => {
      req.user = { id: userId };
      next();
    });
  };
}

/** The authenticated user of a route behind `authenticate`. */
export function currentUser(req: { user?: AuthenticatedUser }): AuthenticatedUser {
  if (!req.user) throw problem('DT_ERR_UNAUTHENTICATED');
  return req.user;
}
