import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SERVICE_TOKEN_SCHEME } from '@docuthinker/contracts';
import { CredentialError, type BearerVerifier } from '../auth/bearer-credentials';
import type { Principal } from '../auth/principal';
import { problem } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const BEARER = new RegExp(`^${SERVICE_TOKEN_SCHEME}\\s+(\\S+)\\s*$`, 'i');

function unauthenticated(detail: string, error: 'invalid_request' | 'invalid_token') {
  return problem('DT_ERR_UNAUTHENTICATED', detail, {
    headers: { 'www-authenticate': `Bearer realm="docuthinker", error="${error}"` },
  });
}

/**
 * Requires `Authorization: Bearer <token>` on every route of the scope it is
 * registered in; the open routes (health, readiness, metrics, API docs) and
 * unknown routes live outside that scope.
 */
export function registerAuthentication(scope: FastifyInstance, verifyBearer: BearerVerifier): void {
  scope.decorateRequest('principal', undefined);
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('the Authorization header is missing', 'invalid_request');
    const token = BEARER.exec(header)?.[1];
    if (!token)
      throw unauthenticated('the Authorization header is not a Bearer token', 'invalid_request');
    try {
      request.principal = await verifyBearer(token);
    } catch (error) {
      if (error instanceof CredentialError) throw unauthenticated(error.message, 'invalid_token');
      throw error;
    }
  });
}
