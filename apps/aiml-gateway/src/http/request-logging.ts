import { LogController } from 'fastify';
import type { IncomingMessage, RequestListener } from 'node:http';
import {
  logRequestEnd,
  REQUEST_ID_HEADER,
  requestIdFrom,
  responseOutcome,
  UNLOGGED_REQUEST_PATHS,
  type Logger,
} from '@docuthinker/runtime';

const routePatterns = new WeakMap<IncomingMessage, string>();

/**
 * Names the route pattern that took the request (`/ai/v1/graph/documents/:documentId/related`),
 * for its log line: Fastify's once it has routed, the fast path's for `/analyze`.
 */
export function recordRoutePattern(req: IncomingMessage, route: string | undefined): void {
  if (route !== undefined) routePatterns.set(req, route);
}

/**
 * One line per request, as the backend writes (see logRequestEnd), for every
 * request the server takes: the routes', those Fastify answers before routing
 * (a bad URL, an over-long parameter) and the `/analyze` fast path's alike,
 * written when the response closes. The request id is settled here, so
 * Fastify (genReqId) and the fast path log and answer the same one. Liveness
 * probes and metric scrapes get none.
 */
export function withRequestLogging(handler: RequestListener, logger: Logger): RequestListener {
  return (req, res) => {
    const id = requestIdFrom(req.headers);
    req.headers[REQUEST_ID_HEADER] = id;
    const path = req.url?.split('?', 1)[0] ?? '';
    if (!UNLOGGED_REQUEST_PATHS.has(path)) {
      const startedAt = performance.now();
      res.once('close', () => {
        logRequestEnd(
          logger,
          { id, method: req.method, url: req.url, route: routePatterns.get(req) },
          responseOutcome(res, startedAt),
        );
      });
    }
    handler(req, res);
  };
}

/**
 * Names the request's id (settled by withRequestLogging) on every answer
 * Fastify gives, also those given before any hook runs (a bad URL, a drain's
 * 503). Set on the way into Fastify, not for every request: a header set
 * before `writeHead` sends the `/analyze` fast path's own header list, which
 * names the id, down Node's slower merge of the two.
 */
export function withRequestIdHeader(handler: RequestListener): RequestListener {
  return (req, res) => {
    res.setHeader(REQUEST_ID_HEADER, requestIdFrom(req.headers));
    handler(req, res);
  };
}

/**
 * Fastify's own lines, minus its two per request (`incoming request` and
 * `request completed`), which withRequestLogging replaces: at the default
 * level, info, they were the larger part of what a proxied `/analyze` cost
 * (docs/benchmarks.md). Its diagnostics (a serializer or stream failing
 * after the headers went out) stay; its line for a 503 while closing is
 * withRequestLogging's too.
 */
export class GatewayLogController extends LogController {
  override incomingRequest(): void {
    // withRequestLogging writes the request's one line.
  }

  override requestCompleted(): void {
    // withRequestLogging writes the request's one line.
  }

  override serviceUnavailable(): void {
    // A 503 while the server closes is a request like any: withRequestLogging's line.
  }
}
