import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { routePatternOf } from './route-pattern';

/**
 * Request durations by method, route pattern (never the raw URL, whose ids
 * would make unbounded label sets) and status code; named and labelled as the
 * gateway's, so one dashboard query covers both services.
 */
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'docuthinker_backend_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** `startedAt` is a `performance.now()` reading taken when the request arrived. */
  observe(method: string, route: string, statusCode: number, startedAt: number): void {
    this.duration.observe(
      { method, route, status_code: String(statusCode) },
      (performance.now() - startedAt) / 1000,
    );
  }

  /** Observes every request Express answers, under its matched route pattern. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const startedAt = performance.now();
      res.on('finish', () => {
        this.observe(req.method, routePatternOf(req) ?? 'unmatched', res.statusCode, startedAt);
      });
      next();
    };
  }
}
