import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../../metrics/gateway-metrics';

/** Prometheus scrape endpoint. */
export function registerMetricsRoutes(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get(
    '/metrics',
    {
      logLevel: 'silent',
      schema: {
        summary: 'Prometheus metrics',
        tags: ['meta'],
        // The text exposition format (text/plain; version=0.0.4).
        responseMediaType: 'text/plain',
      },
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
