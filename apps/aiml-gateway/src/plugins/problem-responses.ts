import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AllowedMethods, isFault, PROBLEM_CONTENT_TYPE, ProblemError } from '@docuthinker/runtime';
import { problemFromEngineError } from '../engine-errors';
import { problem } from '../errors';

/** The code of the problem each request was answered with, for hooks that run after the answer. */
const answeredProblems = new WeakMap<FastifyRequest, string>();

/** The code of the problem `request` was answered with, if it was answered with one. */
export function answeredProblemCode(request: FastifyRequest): string | undefined {
  return answeredProblems.get(request);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ProblemError) {
  answeredProblems.set(request, error.code);
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) reply.header(name, value);
  return reply
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(error.toDocument(request.url.split('?')[0], request.id)));
}

/** Fastify's own client errors (bad JSON, body limit, content type) keep a 4xx status. */
function fromFastify(error: FastifyError): ProblemError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('DT_ERR_MALFORMED_JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('DT_ERR_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE');
    // The body's length differs from its Content-Length: the request, not its type, is at fault.
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('DT_ERR_MALFORMED_REQUEST');
    default:
      if (error.validation) {
        return problem('DT_ERR_VALIDATION', error.message, {
          errors: error.validation.map((issue) => ({
            path: issue.instancePath || issue.params?.['missingProperty']?.toString() || '',
            message: issue.message ?? 'is invalid',
          })),
        });
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return problem('DT_ERR_VALIDATION', error.message);
      }
      return undefined;
  }
}

/** problem+json for every error and unknown route; internals never leak into a response. */
export function registerProblemResponses(app: FastifyInstance): void {
  // Every route registered from here on, in any plugin: as Fastify matches
  // paths by default, with case, without a trailing slash.
  const allowed = new AllowedMethods({ caseSensitive: true, trailingSlash: false });
  app.addHook('onRoute', (route) => allowed.add(route.method, route.url));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const { code, detail, extras } = allowed.refusal(request.method, path);
    const refusal = problem(code, detail, extras);
    return sendProblem(request, reply, refusal);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known =
      error instanceof ProblemError ? error : (problemFromEngineError(error) ?? fromFastify(error));
    if (!known && reply.raw.destroyed) {
      // The client went away and its work was cancelled: not a fault of ours,
      // and nobody is left to answer. Logged as an error, every disconnect
      // under load flooded the error log with AbortError stacks.
      request.log.info('the client left before the answer; its work was cancelled');
      return reply;
    }
    if (!known) request.log.error({ err: error }, 'unhandled error');
    // A store or provider failure answers with a fixed detail; its own
    // message (and cause) is for the operator, so it is logged here.
    else if (isFault(known.status) && known !== error) request.log.warn({ err: error }, known.code);
    return sendProblem(request, reply, known ?? problem('DT_ERR_INTERNAL'));
  });
}
