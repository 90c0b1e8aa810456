import { SignJWT, jwtVerify } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';

/** Short-lived on purpose: there is no revocation list, so a stolen token dies quickly. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokens {
  issue(userId: string): Promise<{ accessToken: string; expiresIn: number }>;
  /** The user id (subject) of a valid token, or null for anything else. */
  verify(token: string): Promise<string | null>;
}

/** HS256 access tokens with issuer, audience and expiry, signed with docuthinker/jwt. */
export function createAccessTokens(secret: string): AccessTokens {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(userId) {
      const accessToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
        .sign(key);
      return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
        });
        return typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
