import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { HttpErrorCode } from './http-errors';
import type { ProblemError } from './problem';
import { answerRefusedRequest } from './refused-request';

/** Node's server option that this takes over (pass it to createServer). */
export const LEAVE_HOST_CHECK_TO_LISTENER = { requireHostHeader: false } as const;

/**
 * Refuses an HTTP/1.1 request without a `Host` header (RFC 9112 §3.2) with
 * the service's 400 problem+json and a `request refused` line. Node's own
 * check (`requireHostHeader`) answers a bare 400 with an empty body that no
 * handler or log sees (found in a security test); give the server
 * LEAVE_HOST_CHECK_TO_LISTENER and its listener through this. The answer
 * goes through the request's own response, so a pipelined request before it
 * is answered first, and the connection closes after it.
 */
export function refusingRequestsWithoutHost(
  listener: RequestListener,
  problem: (code: HttpErrorCode) => ProblemError,
  logger: Logger,
): RequestListener {
  return (req, res) => {
    if (!lacksRequiredHost(req)) {
      listener(req, res);
      return;
    }
    answerRefusedRequest(
      res,
      problem('DT_ERR_MALFORMED_REQUEST'),
      logger,
      Object.assign(new Error('an HTTP/1.1 request without a Host header'), {
        code: 'ERR_MISSING_HOST_HEADER',
      }),
    );
  };
}

function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
}
