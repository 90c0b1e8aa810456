import { Router } from 'express';
import type { Registry } from 'prom-client';

export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    // For scrapers inside the network only. The load balancer routes every
    // path it does not know to this service, and adds X-Forwarded-For to what
    // it passes on: such a request gets the unknown-route 404, so request
    // counts, routes and process details are not published to the internet.
    if (req.headers['x-forwarded-for'] !== undefined) {
      next();
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
