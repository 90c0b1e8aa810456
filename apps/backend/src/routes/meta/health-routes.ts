import { Router } from 'express';
import { checkReadiness, type DependencyCheck } from '@docuthinker/runtime';

/** `/health` is liveness and touches nothing; `/ready` asks every dependency. */
export function healthRoutes(dependencies: readonly DependencyCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const report = await checkReadiness(dependencies);
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  return router;
}
