import { VerifiedTokenCache } from '@docuthinker/runtime';
import { CredentialError, type BearerVerifier } from '../auth/bearer-credentials';
import type { Principal } from '../auth/principal';
import type { TokenRevocationCheck } from '../auth/token-revocation-check';

export interface CachedBearerVerifierOptions {
  /** Longest a signature verification is reused, whatever the token's own expiry. */
  readonly ttlMs?: number;
  /** Tokens remembered at most; the least recently used goes first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A hit answers synchronously: the request goes on without waiting a turn of the event loop. */
export interface CachedBearerVerifier {
  (token: string): Principal | Promise<Principal>;
  /**
   * The principal of a token that verified, is still remembered and, for a
   * user token, is known not to be revoked; never verifies nor reads.
   */
  known(token: string): Principal | undefined;
}

export type RevocationCheck = Pick<TokenRevocationCheck, 'accepts' | 'acceptsKnown'>;

const revoked = () =>
  new CredentialError(
    'the token was revoked: the password changed or the account was deleted after it was issued',
  );

/**
 * Remembers tokens that verified, so a caller's next request costs a map
 * lookup instead of a digest or an HMAC check. Only successes are kept (a
 * flood of bad tokens cannot fill it, nor other spellings of a good one,
 * which `verify` refuses: see isCompactJws), never past the token's own `exp`, and
 * no longer than `ttlMs`; a refused token is verified afresh every time.
 *
 * What is remembered is the signature check only. A user token is put to
 * `revocations` on every call, remembered or not, and `known` answers for
 * one only when the check answers without reading: so a revoked user token
 * gets through here for no longer than the check's own bound (5 s,
 * REVOCATION_FRESH_MS), not for this cache's 30 s. The service token is
 * never revoked this way, and `/analyze`'s fast path, which takes only the
 * service token, still finds it synchronously.
 */
export function cacheVerifiedTokens(
  verify: BearerVerifier,
  revocations: RevocationCheck,
  { ttlMs = 30_000, maxEntries = 10_000, now = Date.now }: CachedBearerVerifierOptions = {},
): CachedBearerVerifier {
  const verified = new VerifiedTokenCache<Principal>({ max: maxEntries, now });
  const remember = (token: string, principal: Principal): Principal => {
    const until = Math.min(now() + ttlMs, expiryOf(token) ?? Number.POSITIVE_INFINITY);
    verified.remember(token, principal, until);
    return principal;
  };
  const unrevoked = (principal: Principal): Principal | Promise<Principal> => {
    if (principal.kind !== 'user') return principal;
    const accepted = revocations.accepts(principal.ownerId, principal.issuedAtSeconds);
    if (accepted === true) return principal;
    if (accepted === false) throw revoked();
    return accepted.then((stillValid) => {
      if (!stillValid) throw revoked();
      return principal;
    });
  };
  const verifyCached = (token: string): Principal | Promise<Principal> => {
    const remembered = verified.get(token);
    if (remembered) return unrevoked(remembered);
    return verify(token).then((principal) => unrevoked(remember(token, principal)));
  };
  const known = (token: string): Principal | undefined => {
    const remembered = verified.get(token);
    if (remembered?.kind !== 'user') return remembered;
    const accepted = revocations.acceptsKnown(remembered.ownerId, remembered.issuedAtSeconds);
    return accepted === true ? remembered : undefined;
  };
  return Object.assign(verifyCached, { known });
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
