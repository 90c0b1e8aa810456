import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../metrics/gateway-metrics';

function observeRequest(metrics: GatewayMetrics, request: FastifyRequest, reply: FastifyReply) {
  metrics.requestDuration.observe(
    {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    },
    reply.elapsedTime / 1000,
  );
}

/** Times every request under its route pattern, so ids in paths do not explode cardinality. */
export function registerRequestMetrics(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    observeRequest(metrics, request, reply);
    done();
  });
}

/**
 * Times an answer no hook sees (Fastify's errors before routing, see
 * framework-errors.ts) once it is sent. Found in review: a 414 was answered
 * and logged, and missing from /metrics.
 */
export function observeWhenSent(
  metrics: GatewayMetrics,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.raw.once('finish', () => observeRequest(metrics, request, reply));
}
