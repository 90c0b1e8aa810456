import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT, jwtVerify } from 'jose';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TTL_SECONDS,
  hasIssuedLifetime,
  isCompactJws,
} from '@docuthinker/contracts';
import { VerifiedTokenCache } from '@docuthinker/runtime';

export { ACCESS_TOKEN_TTL_SECONDS };

/**
 * The first `iat` (whole seconds, as JWTs have them) a token of an account
 * whose tokens are valid from `validFrom` may have: the second after it.
 * Rounding down instead kept every token issued in the second of a password
 * change, before it as well as after (found in review: an attacker logging
 * in every 200 ms always held one that outlived the change). A login within
 * the change's second waits for this one before its token is issued (see
 * `issue`), so it is not refused.
 */
export function firstValidIssuedAt(validFrom: Date | null | undefined): number {
  return validFrom ? Math.floor(validFrom.getTime() / 1000) + 1 : 0;
}

/** What a valid token says: whose it is, and when it was issued. */
export interface VerifiedAccess {
  readonly userId: string;
  /** The token's `iat`, in seconds: a password change refuses older ones. */
  readonly issuedAtSeconds: number;
}

export interface AccessTokens {
  /**
   * A token for the account, issued no earlier than `tokensValidFrom` allows:
   * just after a password change it waits for the next second (at most one).
   */
  issue(
    userId: string,
    tokensValidFrom?: Date | null,
  ): Promise<{ accessToken: string; expiresIn: number }>;
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
  /** Waits `ms` (a timer); tests with their own clock move it instead. */
  wait?: (ms: number) => Promise<void>;
}

/** HS256 access tokens with issuer, audience and expiry, signed with docuthinker/jwt. */
export function createAccessTokens(secret: string, options: AccessTokenOptions = {}): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const now = options.now ?? Date.now;
  const wait = options.wait ?? ((ms: number) => sleep(ms));
  const remembered = new VerifiedTokenCache<VerifiedAccess>({ now });
  return {
    async issue(userId, tokensValidFrom) {
      // Waited for, not dated ahead: a token dated into the next second would
      // outlive a second password change made in that second.
      const firstValid = firstValidIssuedAt(tokensValidFrom);
      // A timer may wake a little before the wall clock reaches its second.
      while (firstValid * 1000 > now()) await wait(firstValid * 1000 - now());
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
      // Before the cache and jose: jose skips characters outside base64url,
      // so another spelling of a valid token would verify and be remembered
      // as a token of its own (see isCompactJws). Refused as any invalid token.
      if (!isCompactJws(token)) return null;
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
        const times = { iat: payload.iat as number, exp: payload.exp as number };
        if (!hasIssuedLifetime(times, now())) return null;
        const access = { userId: payload.sub, issuedAtSeconds: times.iat };
        remembered.remember(token, access, (payload.exp as number) * 1000);
        return access;
      } catch {
        return null;
      }
    },
  };
}
