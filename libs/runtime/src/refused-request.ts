import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { NOT_FOR_CACHES } from './cache-control';
import { PROBLEM_CONTENT_TYPE, type ProblemError } from './problem';
import { logRefusedRequest } from './request-log-line';

/**
 * Answers a request that Node's server hands over before any route sees it
 * (no Host header, an unmet Expect) with the service's problem+json and a
 * `request refused` line naming `reason`'s code, and closes the connection:
 * what follows on it cannot be trusted to be the next request.
 */
export function answerRefusedRequest(
  res: ServerResponse,
  refusal: ProblemError,
  logger: Logger,
  reason: Error & { code: string },
): void {
  logRefusedRequest(logger, refusal.status, reason);
  const body = JSON.stringify(refusal.toDocument());
  res.writeHead(refusal.status, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': NOT_FOR_CACHES,
    Connection: 'close',
  });
  res.end(body);
}
