import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { HttpErrorCode } from './http-errors';
import type { ProblemError } from './problem';
import { requestIdFrom } from './request-id';
import { logRefusedRequest } from './request-log-line';
import { writeRefusalToSocket } from './refused-request';

/**
 * Answers CONNECT, which asks for a tunnel through a proxy (neither service
 * is one), with 405 problem+json, an empty `Allow` (the tunnel's target is
 * no resource of the service, so it allows no method), and a
 * `request refused` line. Without a `connect` listener Node drops the
 * connection without a word or a log line (found in an exploratory test).
 */
export function refuseConnectRequests(
  server: Server,
  problem: (code: HttpErrorCode, detail?: string) => ProblemError,
  logger: Logger,
): void {
  server.on('connect', (req, socket) => {
    const requestId = requestIdFrom(req.headers);
    const refusal = problem(
      'DT_ERR_METHOD_NOT_ALLOWED',
      'CONNECT asks for a tunnel through a proxy, and this service is not one.',
    );
    logRefusedRequest(
      logger,
      refusal.status,
      Object.assign(new Error('a CONNECT request'), { code: 'ERR_CONNECT_METHOD' }),
      requestId,
    );
    // Typed as a Duplex; an HTTP server's is a net.Socket (a TLSSocket, one too, for HTTPS).
    writeRefusalToSocket(socket as Socket, refusal, requestId, { Allow: '' });
  });
}
