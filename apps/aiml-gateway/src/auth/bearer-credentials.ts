import { createHash, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  entityId,
  hasIssuedLifetime,
  isCompactJws,
} from '@docuthinker/contracts';
import type { Principal } from './principal';

export interface BearerCredentialOptions {
  /** The shared service token (secret docuthinker/service-token). */
  readonly serviceToken: string;
  /** The HS256 key user access tokens are signed with (secret docuthinker/jwt). */
  readonly jwtSecret: string;
}

/** Why a token was refused; it goes into the 401's detail, never the token itself. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

const NOT_A_KNOWN_TOKEN = 'the token is neither the service token nor a valid access token';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Turns a bearer token into a principal. The service token is compared in
 * constant time over digests, so neither its content nor its length leaks
 * through timing; anything else must be a user access token signed with
 * HS256 for the platform's issuer and audience, whose subject is an owner id,
 * and which says when it was issued (`iat`), as the backend requires: a
 * password change refuses the tokens issued before it, so a token without
 * `iat`, or dated ahead, could never be refused. An access token must also be
 * spelled as a compact JWS exactly, as the backend requires too.
 */
export function createBearerVerifier(options: BearerCredentialOptions) {
  const serviceDigest = digest(options.serviceToken);
  const jwtKey = new TextEncoder().encode(options.jwtSecret);

  return async function verifyBearer(token: string): Promise<Principal> {
    if (timingSafeEqual(digest(token), serviceDigest)) return { kind: 'service' };
    // Only now: the service token is no JWT. jose skips characters outside
    // base64url, so another spelling of a valid access token would verify and
    // be remembered as a token of its own (see isCompactJws).
    if (!isCompactJws(token)) throw new CredentialError(NOT_A_KNOWN_TOKEN);
    try {
      const { payload } = await jwtVerify(token, jwtKey, {
        algorithms: ['HS256'],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        // jose also refuses an `iat` that is not a number.
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const owner = entityId.safeParse(payload.sub);
      if (!owner.success) throw new CredentialError('the token subject is not an owner id');
      const times = { iat: payload.iat as number, exp: payload.exp as number };
      if (!hasIssuedLifetime(times, Date.now())) {
        throw new CredentialError('the token is dated ahead or lives longer than access tokens do');
      }
      return { kind: 'user', ownerId: owner.data, issuedAtSeconds: times.iat };
    } catch (error) {
      if (error instanceof CredentialError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new CredentialError('the token has expired');
      if (error instanceof joseErrors.JOSEError) {
        throw new CredentialError(NOT_A_KNOWN_TOKEN);
      }
      throw error;
    }
  };
}

export type BearerVerifier = ReturnType<typeof createBearerVerifier>;
