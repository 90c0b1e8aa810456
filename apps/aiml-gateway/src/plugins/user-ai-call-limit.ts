import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimiter } from '@docuthinker/runtime/rate-limits';
import { problem } from '../errors';
import { answeredProblemCode } from './problem-responses';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route makes AI calls (a provider request, embeddings): counted per
     * user. A function decides per request (a lexical search embeds nothing).
     */
    aiCall?: boolean | ((request: FastifyRequest) => boolean);
  }
}

function isAiCall(request: FastifyRequest): boolean {
  const aiCall = request.routeOptions.config.aiCall;
  return typeof aiCall === 'function' ? aiCall(request) : aiCall === true;
}

/**
 * Answers that say the request was refused before any AI call: invalid (a
 * task's missing option, an /analyze document id that is no id), another
 * owner's, unknown, or one no configured provider performs. What such a
 * request consumed is given back once it is answered. Not every 409: an
 * index write overtaken by its owner's erasure may have embedded its chunks.
 */
const REFUSED_BEFORE_ANY_CALL = new Set([400, 403, 404, 501]);
/**
 * The 409 refused before any call: the index the route needs is switched
 * off (found in an exploratory test: asks refused so spent the allowance).
 */
const REFUSED_BEFORE_ANY_CALL_CODES = new Set(['DT_ERR_INDEX_DISABLED']);

/**
 * Limits the AI calls a user token makes to DOCUTHINKER_AI_CALLS_PER_MINUTE
 * (`limiter`, made from userAiCallsRule): browsers reach these routes through
 * the load balancer, and each call may cost a paid provider request. With
 * REDIS_URL the count is the backend's own, shared by every replica of both
 * services; without it, this replica's. The service token is not limited
 * here, since the backend limits each of its users before it calls. Runs
 * after schema validation, so an invalid body or query costs nothing of the
 * allowance; a request the route refuses later (REFUSED_BEFORE_ANY_CALL) has
 * its call refunded when it is answered (found in review: five such requests
 * spent a user's allowance of five).
 */
export function registerUserAiCallLimit(scope: FastifyInstance, limiter: RateLimiter): void {
  /** The user each counted request was counted against. */
  const counted = new WeakMap<FastifyRequest, string>();
  // Callback style: the service's requests, most of them, skip it without a promise.
  scope.addHook('preHandler', (request, _reply, done) => {
    const principal = request.principal;
    if (principal?.kind !== 'user' || !isAiCall(request)) return done();
    limiter.consume(principal.ownerId).then((decision) => {
      if (decision.allowed) {
        counted.set(request, principal.ownerId);
        return done();
      }
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      done(
        problem('DT_ERR_RATE_LIMITED', `Try again in ${seconds} seconds.`, {
          headers: { 'retry-after': String(seconds) },
        }),
      );
    }, done);
  });
  scope.addHook('onResponse', (request, reply, done) => {
    const ownerId = counted.get(request);
    if (
      ownerId !== undefined &&
      (REFUSED_BEFORE_ANY_CALL.has(reply.statusCode) ||
        REFUSED_BEFORE_ANY_CALL_CODES.has(answeredProblemCode(request) ?? ''))
    ) {
      // Best effort: a store that fails now only leaves the call counted.
      limiter.refund(ownerId).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not refund an AI call refused before any call');
      });
    }
    done();
  });
}
