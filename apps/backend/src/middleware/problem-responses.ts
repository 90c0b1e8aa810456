import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  JSON_VALUE_BUDGET_REFUSAL,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  type AllowedMethods,
} from '@docuthinker/runtime';
import { isDataStoreOutage } from '@docuthinker/stores';
import { problem } from '../errors';
import {
  AnswerInterruptedError,
  CallerLeftError,
  GatewayRejectedError,
  GatewayUnavailableError,
} from '../gateway/gateway-errors';
import { FileStoreUnavailableError } from '../services/service-errors';
import { problemFromDomainError } from './domain-problems';

/** Writes `error` as the problem+json answer, with the headers it carries. */
export function sendProblem(res: Response, error: ProblemError, instance: string) {
  for (const [name, value] of Object.entries(error.extras.headers ?? {}))
    res.setHeader(name, value);
  res
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(error.toDocument(instance, String(res.req.id ?? ''))));
}

/** The answer when no route took the request: 405 with Allow for a path served with other methods, else 404. */
export function routeNotFound(allowed: AllowedMethods): RequestHandler {
  return (req, res) => {
    // A route that passed the request on (next()) leaves its pattern behind;
    // this answer is no route's, in the log line and the metric alike.
    req.route = undefined;
    const { code, detail, extras } = allowed.refusal(req.method, req.path);
    const refusal = problem(code, detail, extras);
    sendProblem(res, refusal, req.path);
  };
}

/**
 * OPTIONS, which no route serves: refused as any method a path is not
 * served with, before authentication and before Express's own answer (200
 * text/plain naming the methods, found in review). A CORS preflight was
 * answered before this (security-headers.ts).
 */
export function optionsRefused(allowed: AllowedMethods): RequestHandler {
  const refuse = routeNotFound(allowed);
  return (req, res, next) => {
    if (req.method === 'OPTIONS') refuse(req, res, next);
    else next();
  };
}

/** Body-parser errors carry a `type`; map the ones a client causes to 4xx. */
function fromBodyParser(error: {
  type?: string;
  status?: number;
  expose?: boolean;
  body?: unknown;
}): ProblemError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return isJsonText(error.body)
        ? problem('DT_ERR_VALIDATION', 'The request body must be a JSON object.')
        : problem('DT_ERR_MALFORMED_JSON');
    case 'entity.not.utf8':
      return problem('DT_ERR_MALFORMED_JSON', 'The request body must be JSON encoded as UTF-8.');
    case 'entity.too.large':
      return problem('DT_ERR_BODY_TOO_LARGE');
    case 'entity.too.many.values':
      return problem('DT_ERR_BODY_TOO_LARGE', JSON_VALUE_BUDGET_REFUSAL);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE');
    default:
      // A body that fails to inflate (Content-Encoding: gzip or br on plain
      // bytes) arrives as zlib's own error, marked 400 and safe to expose,
      // with no type (found by the fuzz suite: it was a 500).
      if (error.expose === true && error.status === 400) {
        return problem(
          'DT_ERR_VALIDATION',
          'The request body could not be read; check its Content-Encoding.',
        );
      }
      return undefined;
  }
}

/**
 * The strict JSON parser refuses a body that is JSON but no object or array
 * (`null`, `"text"`, `42`) with the same error as broken JSON: that body is
 * valid JSON of the wrong shape, the client's validation error.
 */
function isJsonText(body: unknown): boolean {
  // An object or array the parser refused is broken JSON: no second parse.
  if (typeof body !== 'string' || /^[ \t\n\r]*[{[]/.test(body)) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * Express decodes path parameters before any handler runs and throws a
 * URIError (status 400) for a malformed percent sequence such as `%zz`: the
 * client's fault, answered without echoing the undecodable value.
 */
function fromRouter(error: unknown): ProblemError | undefined {
  if (error instanceof URIError && (error as URIError & { status?: number }).status === 400) {
    return problem('DT_ERR_VALIDATION', 'A path parameter is not valid percent-encoded UTF-8.');
  }
  return undefined;
}

/**
 * Turns anything thrown into problem+json. Only ProblemErrors and known
 * client errors say what went wrong; the rest is a bare 500, logged in full.
 */
export const problemResponses: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof CallerLeftError) {
    // Nobody to answer: the request's own line says `request aborted`.
    req.log.info(error.message);
    res.destroy();
    return;
  }
  const answer = problemFor(error, req);
  // A stream (a file download, server-sent events) that broke half-way can
  // only be cut; a connection already gone (the client left mid-body, or the
  // drain timeout cut it) gets nothing, so that no status it was never sent
  // reaches the request's line (found in an exploratory test: a 400).
  if (res.headersSent || req.socket.destroyed) {
    res.destroy();
    return;
  }
  sendProblem(res, answer, req.path);
};

/**
 * The problem a failure answers, logged as its kind deserves: for the
 * error handler above, and for a stream that can only end with an `error`
 * event once it has begun.
 */
export function problemFor(error: unknown, req: Request): ProblemError {
  const known =
    error instanceof ProblemError
      ? error
      : (problemFromDomainError(error) ??
        fromBodyParser(error as { type?: string }) ??
        fromRouter(error));
  if (!known) req.log.error({ err: error }, 'unhandled error');
  // The gateway's own words stay out of the answer; operators find them here
  // (one line, no stack: during an outage every AI request writes one).
  else if (
    error instanceof GatewayRejectedError ||
    error instanceof GatewayUnavailableError ||
    error instanceof AnswerInterruptedError
  )
    req.log.warn({ gateway: error.message }, 'AI/ML gateway call failed');
  else if (error instanceof FileStoreUnavailableError)
    req.log.error(
      { err: error.cause },
      {
        write: 'file store did not take an upload',
        read: 'file store did not give back an original',
        erase: "file store did not remove the owner's files",
      }[error.operation],
    );
  else if (isDataStoreOutage(error)) req.log.error({ err: error }, 'data store unavailable');
  return known ?? problem('DT_ERR_INTERNAL');
}
