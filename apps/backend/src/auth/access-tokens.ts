import { SignJWT, jwtVerify } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';
import { VerifiedTokenCache } from '@docuthinker/runtime';

/**
 * Short-lived on purpose: a stolen token dies quickly, and a revocation (a
 * password change, a deletion; see token-revocations.ts) need only be kept
 * this long, since the tokens it refuses have expired after it.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** What a valid token says: whose it is, and when it was issued. */
export interface VerifiedAccess {
  readonly userId: string;
  /** The token's `iat`, in seconds: a password change refuses older ones. */
  readonly issuedAtSeconds: number;
}

export interface AccessTokens {
  issue(userId: string): Promise<{ accessToken: string; expiresIn: number }>;
  /** The subject and issue time of a valid token, or null for anything else. */
  verify(token: string): Promise<VerifiedAccess | null>;
  /**
   * A token that passed `verify` before and has not expired since, without
   * waiting; undefined when the token needs `verify`.
   */
  verified(token: string): VerifiedAccess | undefined;
}

export interface AccessTokenOptions {
  /** Milliseconds since the epoch; tests move it to check expiry. */
  now?: () => number;
}

/** HS256 access tokens with issuer, audience and expiry, signed with docuthinker/jwt. */
export function createAccessTokens(secret: string, options: AccessTokenOptions = {}): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const now = options.now ?? Date.now;
  const remembered = new VerifiedTokenCache<VerifiedAccess>({ now });
  return {
    async issue(userId) {
      const issuedAt = Math.floor(now() / 1000);
      const accessToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
        .sign(key);
      return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
    },
    verified(token) {
      return remembered.get(token);
    },
    async verify(token) {
      const cached = remembered.get(token);
      if (cached !== undefined) return cached;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
          currentDate: new Date(now()),
          // Every token we issue expires and says when it was issued; one without is not ours.
          requiredClaims: ['exp', 'iat'],
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') return null;
        const access = { userId: payload.sub, issuedAtSeconds: payload.iat as number };
        remembered.remember(token, access, (payload.exp as number) * 1000);
        return access;
      } catch {
        return null;
      }
    },
  };
}
