import { SignJWT, jwtVerify } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';
import { VerifiedTokenCache } from '@docuthinker/runtime';

/** Short-lived on purpose: there is no revocation list, so a stolen token dies quickly. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokens {
  issue(userId: string): Promise<{ accessToken: string; expiresIn: number }>;
  /** The user id (subject) of a valid token, or null for anything else. */
  verify(token: string): Promise<string | null>;
  /**
   * The subject of a token that passed `verify` before and has not expired
   * since, without waiting; undefined when the token needs `verify`.
   */
  verifiedSubject(token: string): string | undefined;
}

export interface AccessTokenOptions {
  /** Milliseconds since the epoch; tests move it to check expiry. */
  now?: () => number;
}

/** HS256 access tokens with issuer, audience and expiry, signed with docuthinker/jwt. */
export function createAccessTokens(secret: string, options: AccessTokenOptions = {}): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const now = options.now ?? Date.now;
  const verified = new VerifiedTokenCache<string>({ now });
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
    verifiedSubject(token) {
      return verified.get(token);
    },
    async verify(token) {
      const cached = verified.get(token);
      if (cached !== undefined) return cached;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
          currentDate: new Date(now()),
          // Every token we issue expires; one without `exp` is not ours.
          requiredClaims: ['exp'],
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') return null;
        verified.remember(token, payload.sub, (payload.exp as number) * 1000);
        return payload.sub;
      } catch {
        return null;
      }
    },
  };
}
