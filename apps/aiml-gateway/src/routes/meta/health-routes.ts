import type { FastifyInstance } from 'fastify';
import { checkReadiness, type DependencyCheck } from '@docuthinker/runtime';

/** `/health` is liveness and touches nothing; `/ready` asks every dependency. */
export function registerHealthRoutes(
  app: FastifyInstance,
  dependencies: readonly DependencyCheck[],
): void {
  app.get('/health', { logLevel: 'silent' }, async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const report = await checkReadiness(dependencies);
    return reply.status(report.status === 'ready' ? 200 : 503).send(report);
  });
}
