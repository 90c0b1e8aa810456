import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { HttpErrorCode } from './http-errors';
import { logRefusedRequest } from './request-log-line';
import type { ProblemError } from './problem';
import { writeRefusalToSocket } from './refused-request';

/** Node's error codes for what its parser refuses or gives up on; anything else is malformed. */
const NODE_CLIENT_ERRORS: Record<string, HttpErrorCode> = {
  HPE_HEADER_OVERFLOW: 'DT_ERR_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'DT_ERR_REQUEST_TIMEOUT',
};

/**
 * A `clientError` listener for a Node HTTP server. Requests Node's HTTP parser
 * refuses (headers too large, broken framing) or gives up on (a body still
 * arriving after the request timeout) never reach the app; Node's own answer
 * is a bare status line. This one answers the service's problem (`problem`
 * of the HTTP_ERRORS code for Node's error) in problem+json and closes the
 * connection, since the rest of the stream cannot be trusted.
 */
export function problemClientErrors(
  problem: (code: HttpErrorCode) => ProblemError,
  /** Where each refusal gets its log line (no handler ever sees the request). */
  logger: Logger,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const known = problem(NODE_CLIENT_ERRORS[error.code ?? ''] ?? 'DT_ERR_MALFORMED_REQUEST');
    // The request's own id cannot be read from headers Node could not parse.
    const requestId = randomUUID();
    logRefusedRequest(logger, known.status, error, requestId);
    writeRefusalToSocket(socket, known, requestId);
  };
}
