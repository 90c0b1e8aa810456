import { VerifiedTokenCache } from '@docuthinker/runtime';
import type { BearerVerifier } from '../auth/bearer-credentials';
import type { Principal } from '../auth/principal';

export interface CachedBearerVerifierOptions {
  /** Longest a verification is reused, whatever the token's own expiry. */
  readonly ttlMs?: number;
  /** Tokens remembered at most; the least recently used goes first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A hit answers synchronously: the request goes on without waiting a turn of the event loop. */
export interface CachedBearerVerifier {
  (token: string): Principal | Promise<Principal>;
  /** The principal of a token that verified and is still remembered; never verifies. */
  known(token: string): Principal | undefined;
}

/**
 * Remembers tokens that verified, so a caller's next request costs a map
 * lookup instead of a digest or an HMAC check. Only successes are kept (a
 * flood of bad tokens cannot fill it), never past the token's own `exp`, and
 * no longer than `ttlMs`; a refused token is verified afresh every time.
 */
export function cacheVerifiedTokens(
  verify: BearerVerifier,
  { ttlMs = 30_000, maxEntries = 10_000, now = Date.now }: CachedBearerVerifierOptions = {},
): CachedBearerVerifier {
  const verified = new VerifiedTokenCache<Principal>({ max: maxEntries, now });
  const remember = (token: string, principal: Principal): Principal => {
    const until = Math.min(now() + ttlMs, expiryOf(token) ?? Number.POSITIVE_INFINITY);
    verified.remember(token, principal, until);
    return principal;
  };
  const verifyCached = (token: string): Principal | Promise<Principal> =>
    verified.get(token) ?? verify(token).then((principal) => remember(token, principal));
  return Object.assign(verifyCached, { known: (token: string) => verified.get(token) });
}

/** `exp` (ms) of a JWT that has already been verified; undefined for an opaque token. */
function expiryOf(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    // A JWT that verified has a numeric exp (it is a required claim); anything else is not reused.
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
