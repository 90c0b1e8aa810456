import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { NOT_FOR_CACHES } from './cache-control';
import { PROBLEM_CONTENT_TYPE, type ProblemError } from './problem';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
import { logRefusedRequest } from './request-log-line';

/**
 * The body and headers of an answer sent before any route: beside the
 * problem, the request id that its body and log line give too, so a client
 * can quote it, and `nosniff`, `no-store` and a connection close, as every
 * answer of the services (found in an exploratory test: these had no id and
 * no nosniff). The connection closes: what follows on it cannot be trusted
 * to be the next request.
 */
function refusalAnswer(
  refusal: ProblemError,
  requestId: string,
  extraHeaders: Record<string, string>,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(refusal.toDocument(undefined, requestId));
  return {
    body,
    headers: {
      [REQUEST_ID_HEADER]: requestId,
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders,
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': NOT_FOR_CACHES,
      Connection: 'close',
    },
  };
}

/**
 * Answers a request that Node's server hands over before any route sees it
 * (no Host header, an unmet Expect) with the service's problem+json and a
 * `request refused` line naming `reason`'s code, and closes the connection.
 */
export function answerRefusedRequest(
  res: ServerResponse,
  refusal: ProblemError,
  logger: Logger,
  reason: Error & { code: string },
): void {
  const requestId = requestIdFrom(res.req.headers);
  logRefusedRequest(logger, refusal.status, reason, requestId);
  const { body, headers } = refusalAnswer(refusal, requestId, {});
  res.writeHead(refusal.status, headers).end(body);
}

/**
 * How long a refused connection may stay open after its answer for the
 * client to read it and close its side; then it is destroyed.
 */
export const REFUSED_CONNECTION_LINGER_MS = 2000;

/**
 * Writes `refusal` straight to a connection no response object stands for
 * (what Node's parser refused, a CONNECT), with `extraHeaders`, and ends it.
 * The HTTP server's sockets allow half-open connections, and no server
 * timeout watches one a `connect` listener took: without the linger, a
 * client that never closed its side held the connection, and the server's
 * close, for ever (found in review).
 */
export function writeRefusalToSocket(
  socket: Socket,
  refusal: ProblemError,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  const { body, headers } = refusalAnswer(refusal, requestId, extraHeaders);
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.setTimeout(REFUSED_CONNECTION_LINGER_MS, () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Bad Request'}\r\n${head}\r\n${body}`,
  );
}
