import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@docuthinker/runtime';
import { problem } from '../errors';

/**
 * Errors Fastify answers before routing (a URL that is not valid
 * percent-encoding, an over-long path parameter). Its default reply is its
 * own JSON shape; clients get the same problem+json as everywhere else.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem('DT_ERR_URI_TOO_LONG')
      : problem('DT_ERR_VALIDATION', 'The URL is not valid percent-encoded UTF-8.');
  return reply
    .status(known.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(known.toDocument(request.url.split('?')[0] ?? '', request.id)));
}

const CLIENT_ERRORS: Record<string, Parameters<typeof problem>[0]> = {
  HPE_HEADER_OVERFLOW: 'DT_ERR_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'DT_ERR_REQUEST_TIMEOUT',
};

/**
 * Requests Node's HTTP parser refuses (headers too large, broken framing) or
 * gives up on (a body still arriving after the request timeout) never reach
 * Fastify's request cycle. The answer says so in problem+json and closes the
 * connection, since the rest of the stream cannot be trusted.
 */
export function clientErrors(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const known = problem(CLIENT_ERRORS[error.code ?? ''] ?? 'DT_ERR_MALFORMED_REQUEST');
  const body = JSON.stringify(known.toDocument());
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Bad Request'}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
