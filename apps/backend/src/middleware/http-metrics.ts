import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/**
 * Request durations by method, route pattern (never the raw URL, whose ids
 * would make unbounded label sets) and status.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const startedAt = performance.now();
    res.on('finish', () => {
      const pattern = (req.route as { path?: string } | undefined)?.path;
      duration.observe(
        {
          method: req.method,
          route: pattern ? `${req.baseUrl}${pattern}` : 'unmatched',
          status: String(res.statusCode),
        },
        (performance.now() - startedAt) / 1000,
      );
    });
    next();
  };
}
