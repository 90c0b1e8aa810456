import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BEARER_CREDENTIALS } from '@docuthinker/contracts';
import { CredentialError } from '../auth/bearer-credentials';
import type { Principal } from '../auth/principal';
import { problem } from '../errors';
import type { CachedBearerVerifier } from './verified-token-cache';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

function unauthenticated(detail: string, error: 'invalid_request' | 'invalid_token') {
  return problem('DT_ERR_UNAUTHENTICATED', detail, {
    headers: { 'www-authenticate': `Bearer realm="docuthinker", error="${error}"` },
  });
}

function refused(error: unknown): unknown {
  return error instanceof CredentialError ? unauthenticated(error.message, 'invalid_token') : error;
}

/**
 * Requires `Authorization: Bearer <token>` on every route of the scope it is
 * registered in; the open routes (health, readiness, metrics, API docs) and
 * unknown routes live outside that scope. Tokens that verified are
 * remembered for a while, and a user token is checked against revocations on
 * every request (see cacheVerifiedTokens): a remembered token whose
 * revocation check is fresh lets the request on without waiting for a
 * promise. A revoked token is refused as any invalid one (401, invalid_token).
 */
export function registerAuthentication(scope: FastifyInstance, verify: CachedBearerVerifier): void {
  scope.decorateRequest('principal', undefined);
  scope.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    const header = request.headers.authorization;
    if (!header) {
      return done(unauthenticated('the Authorization header is missing', 'invalid_request'));
    }
    const token = BEARER_CREDENTIALS.exec(header)?.[1];
    if (!token) {
      return done(
        unauthenticated('the Authorization header is not a Bearer token', 'invalid_request'),
      );
    }
    let principal: Principal | Promise<Principal>;
    try {
      principal = verify(token);
    } catch (error) {
      return done(refused(error) as Error);
    }
    if (principal instanceof Promise) {
      principal.then(
        (verified) => {
          if (refusedFromOutside(verified, request)) return done(SERVICE_TOKEN_FROM_OUTSIDE());
          request.principal = verified;
          done();
        },
        (error: unknown) => done(refused(error) as Error),
      );
      return;
    }
    if (refusedFromOutside(principal, request)) return done(SERVICE_TOKEN_FROM_OUTSIDE());
    request.principal = principal;
    done();
  });
}

/**
 * The service token is the backend's, which calls from inside the network
 * (Service Connect, in TCP mode: no header added). The load balancer adds
 * X-Forwarded-For to everything it passes on, so a service token that came
 * through it came from the internet, where one leaked token would reach
 * every owner's data (found in review): it is refused there. Users' tokens
 * are for the internet.
 */
export function refusedFromOutside(
  principal: Principal,
  request: { readonly headers: IncomingHttpHeaders },
): boolean {
  return principal.kind === 'service' && request.headers['x-forwarded-for'] !== undefined;
}

const SERVICE_TOKEN_FROM_OUTSIDE = () =>
  unauthenticated(
    'the service token is taken only from inside the network, not through the load balancer',
    'invalid_token',
  );
