import type { BearerVerifier } from '../auth/bearer-credentials';
import type { Principal } from '../auth/principal';

export interface VerifiedTokenCacheOptions {
  /** Longest a verification is reused, whatever the token's own expiry. */
  readonly ttlMs?: number;
  /** Tokens remembered at most; the oldest goes first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A hit answers synchronously: the request goes on without waiting a turn of the event loop. */
export type CachedBearerVerifier = (token: string) => Principal | Promise<Principal>;

interface Verified {
  readonly principal: Principal;
  readonly until: number;
}

/**
 * Remembers tokens that verified, so a caller's next request costs a map
 * lookup instead of a digest or an HMAC check. Only successes are kept (a
 * flood of bad tokens cannot fill it), never past the token's own `exp`, and
 * no longer than `ttlMs`; a refused token is verified afresh every time.
 */
export function cacheVerifiedTokens(
  verify: BearerVerifier,
  { ttlMs = 30_000, maxEntries = 10_000, now = Date.now }: VerifiedTokenCacheOptions = {},
): CachedBearerVerifier {
  const verified = new Map<string, Verified>();
  const remember = (token: string, principal: Principal): Principal => {
    const at = now();
    const until = Math.min(at + ttlMs, expiryOf(token) ?? Number.POSITIVE_INFINITY);
    if (until > at) {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
      verified.set(token, { principal, until });
    }
    return principal;
  };
  return function verifyCached(token: string): Principal | Promise<Principal> {
    const hit = verified.get(token);
    if (hit !== undefined) {
      if (hit.until > now()) return hit.principal;
      verified.delete(token);
    }
    return verify(token).then((principal) => remember(token, principal));
  };
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
