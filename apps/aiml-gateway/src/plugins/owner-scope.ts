import type { FastifyInstance } from 'fastify';
import { entityId } from '@docuthinker/contracts';
import { problem } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Where the route takes `ownerId` from; routes without it are not owner-scoped. */
    ownerIn?: 'body' | 'query';
  }
}

/**
 * Decides the owner of an owner-scoped request before it is validated. The
 * service names the owner in the request. A user acts as the token's subject:
 * the gateway fills `ownerId` in when it is left out, and refuses with 403
 * when it names somebody else, so a client bug is loud rather than silently
 * answered with another owner's (or its own) data.
 */
export function registerOwnerScope(scope: FastifyInstance): void {
  // Callback style: most routes are not owner-scoped, and skipping them should cost no promise.
  scope.addHook('preValidation', (request, _reply, done) => {
    const where = request.routeOptions.config.ownerIn;
    const principal = request.principal;
    if (!where || principal?.kind !== 'user') return done();
    const source = where === 'body' ? request.body : request.query;
    // A body that is not an object fails validation on its own.
    if (!source || typeof source !== 'object' || Array.isArray(source)) return done();
    const fields = source as Record<string, unknown>;
    const named = fields['ownerId'];
    // Anything but a well-formed id (a repeated query parameter arrives as an
    // array; "" or " bob" is no id at all) names no owner: validation answers
    // it with 400, as for the service, rather than this hook calling it
    // somebody else's (found in an exploratory test).
    if (named === undefined) {
      fields['ownerId'] = principal.ownerId;
    } else if (named !== principal.ownerId && entityId.safeParse(named).success) {
      return done(
        problem(
          'DT_ERR_OWNER_MISMATCH',
          `ownerId in the ${where} names another owner than the access token's subject`,
        ),
      );
    }
    done();
  });
}
