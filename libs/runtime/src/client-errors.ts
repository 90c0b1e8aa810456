import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, type ProblemError } from './problem';

/**
 * A `clientError` listener for a Node HTTP server. Requests Node's HTTP parser
 * refuses (headers too large, broken framing) or gives up on (a body still
 * arriving after the request timeout) never reach the app; Node's own answer
 * is a bare status line. This one answers the catalogued problem (from
 * `problemFor`, given Node's error code) in problem+json and closes the
 * connection, since the rest of the stream cannot be trusted.
 */
export function problemClientErrors(
  problemFor: (nodeErrorCode: string | undefined) => ProblemError,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const known = problemFor(error.code);
    const body = JSON.stringify(known.toDocument());
    socket.end(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Bad Request'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
}
