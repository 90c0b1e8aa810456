import type { IncomingMessage, RequestListener } from 'node:http';
import type { Socket } from 'node:net';

/** Node's server option that this takes over (pass it to createServer). */
export const LEAVE_HOST_CHECK_TO_LISTENER = { requireHostHeader: false } as const;

/**
 * Refuses an HTTP/1.1 request without a `Host` header (RFC 9112 §3.2) through
 * the server's `clientError` answer, in problem+json with its log line.
 * Node's own check (`requireHostHeader`) answers a bare 400 with an empty
 * body that no handler or log sees (found in a security test); give the
 * server LEAVE_HOST_CHECK_TO_LISTENER and its listener through this.
 */
export function refusingRequestsWithoutHost(
  listener: RequestListener,
  refuse: (error: Error & { code?: string }, socket: Socket) => void,
): RequestListener {
  return (req, res) => {
    if (lacksRequiredHost(req)) {
      refuse(
        Object.assign(new Error('an HTTP/1.1 request without a Host header'), {
          code: 'ERR_MISSING_HOST_HEADER',
        }),
        req.socket,
      );
      return;
    }
    listener(req, res);
  };
}

function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
}
