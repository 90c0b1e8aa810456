import { Router } from 'express';
import { checkReadiness, type DependencyCheck, type ReadinessReport } from '@docuthinker/runtime';

/** `/health` is liveness and touches nothing; `/ready` asks every dependency. */
export function healthRoutes(dependencies: readonly DependencyCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (req, res) => {
    const report = await checkReadiness(dependencies);
    // Through the load balancer (it adds X-Forwarded-For) the internet sees
    // up or down per dependency, never a store's own error text: paths, hosts
    // and cloud account ids appear in those.
    const fromOutside = req.headers['x-forwarded-for'] !== undefined;
    res
      .status(report.status === 'ready' ? 200 : 503)
      .json(fromOutside ? withoutDetails(report) : report);
  });
  return router;
}

function withoutDetails(report: ReadinessReport): ReadinessReport {
  return {
    status: report.status,
    dependencies: Object.fromEntries(
      Object.entries(report.dependencies).map(([name, { status, latencyMs }]) => [
        name,
        { status, latencyMs },
      ]),
    ),
  };
}
