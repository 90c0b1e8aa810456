import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Liveness probes and metric scrapes arrive every few seconds and say nothing worth a log line. */
export const UNLOGGED_REQUEST_PATHS: ReadonlySet<string> = new Set(['/health', '/metrics']);

export interface LoggedRequest {
  readonly id: string;
  readonly method: string | undefined;
  readonly url: string | undefined;
  /**
   * The route pattern that answered (`/api/documents/:id`), when one did:
   * logs are grouped and counted by it, which the URL, holding ids, cannot be.
   */
  readonly route?: string;
}

export interface RequestOutcome {
  /** The status sent; undefined when the response ended before any was (nothing was answered). */
  readonly statusCode: number | undefined;
  /** False when the client hung up before the answer was sent. */
  readonly finished: boolean;
  readonly responseTimeMs: number;
}

/**
 * The one line each service writes per request, once its response is over:
 * `request completed` at info (warn for a 4xx, error for a 5xx), or
 * `request aborted` at warn when the client hung up first. Nothing is built
 * when the line's level is off.
 */
export function logRequestEnd(
  logger: Logger,
  request: LoggedRequest,
  { statusCode, finished, responseTimeMs }: RequestOutcome,
): void {
  // A client that hangs up early is worth a warning, not an error; so is a
  // 501, a task this deployment does not offer (no provider that can
  // translate, say): it is asked for every day and is nobody's fault.
  const level =
    statusCode !== undefined && isFault(statusCode)
      ? 'error'
      : !finished || statusCode === undefined || statusCode >= 400
        ? 'warn'
        : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      req: request,
      ...(statusCode === undefined ? {} : { res: { statusCode } }),
      responseTime: Math.round(responseTimeMs),
    },
    finished ? 'request completed' : 'request aborted',
  );
}

/** A status that says the service failed: a 5xx other than 501 Not Implemented. */
export function isFault(statusCode: number): boolean {
  return statusCode >= 500 && statusCode !== 501;
}

/** How a node:http response ended, once it has closed; `startedAt` is a `performance.now()` reading. */
export function responseOutcome(res: ServerResponse, startedAt: number): RequestOutcome {
  return {
    // A response's status reads 200 until one is set: a response that ended
    // before its headers went out (the client left, or the server cut it)
    // answered nothing, not 200.
    statusCode: res.headersSent ? res.statusCode : undefined,
    finished: res.writableFinished,
    responseTimeMs: performance.now() - startedAt,
  };
}

/**
 * The line for a request Node's HTTP parser refused or gave up on before any
 * handler saw it (headers too large, broken framing, the request timeout):
 * at warn, with the status the client was answered and Node's error code.
 */
export function logRefusedRequest(
  logger: Logger,
  status: number,
  error: Error & { code?: string },
  /** The id the answer gave (headers Node could not parse have none of their own). */
  requestId: string,
): void {
  logger.warn(
    { req: { id: requestId }, res: { statusCode: status }, code: error.code },
    'request refused',
  );
}
