import type { RequestHandler } from 'express';
import {
  logRequestEnd,
  REQUEST_ID_HEADER,
  responseOutcome,
  requestIdFrom,
  UNLOGGED_REQUEST_PATHS,
  type Logger,
} from '@docuthinker/runtime';
import { routePatternOf } from './route-pattern';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id, as logged and echoed in `x-request-id`. */
    id: string;
    /** A logger bound to this request (its id, method and url). */
    log: Logger;
  }
}

/**
 * One log line per request with its id. The id is taken from `x-request-id`
 * when the caller (the ALB, another service) sent a usable one, and echoed
 * back. This replaces pino-http, whose per-request child logger (serializers
 * and redaction run on every request, even when the line is below the log
 * level) cost more than the rest of a cached document listing; here the
 * child is made only when something logs through `req.log`, and the
 * completion line is built only when its level is enabled.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFrom(req.headers);
    res.setHeader(REQUEST_ID_HEADER, id);
    req.id = id;
    const bindings = () => ({ req: { id, method: req.method, url: req.originalUrl } });
    let requestLogger: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (requestLogger ??= logger.child(bindings())),
    });
    if (!UNLOGGED_REQUEST_PATHS.has(req.path)) {
      const startedAt = performance.now();
      // A response emits 'close' exactly once: after 'finish' when it was
      // sent, or alone when the client hung up first.
      res.on('close', () => {
        logRequestEnd(
          logger,
          { id, method: req.method, url: req.originalUrl, route: routePatternOf(req) },
          responseOutcome(res, startedAt),
        );
      });
    }
    next();
  };
}
