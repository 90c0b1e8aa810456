import type { FastifyInstance } from 'fastify';
import type { AiEngine, Readiness } from '@docuthinker/ai-engine';
import type { RateLimiterFactory } from '@docuthinker/runtime/rate-limits';
import type { EngineConnection, GatewayServices } from '../../engine/engine-connection';
import {
  livenessReport,
  publicReadinessReport,
  readinessReport,
} from '../../openapi/meta-responses';

/** A hung store must not hang the probe: past this, it counts as down. */
const READINESS_TIMEOUT_MS = 2000;
/** How long one readiness probe answers the public /ai/ready. */
const PUBLIC_PROBE_SHARED_MS = 1000;

type DependencyReport = Record<string, { state: string; adapter?: string; error?: string }>;

async function readinessWithin(
  engine: AiEngine,
  timeoutMs: number,
): Promise<Readiness | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([engine.readiness(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function dependencyReport(
  connection: EngineConnection,
): Promise<{ dependencies: DependencyReport; providers: object[] }> {
  const services: GatewayServices | undefined = connection.current;
  if (!services) {
    return {
      dependencies: { 'ai-engine': { state: 'down', error: connection.lastFailure } },
      providers: [],
    };
  }
  const readiness = await readinessWithin(services.engine, READINESS_TIMEOUT_MS);
  if (!readiness) {
    return {
      dependencies: {
        'ai-engine': { state: 'down', error: `no answer within ${READINESS_TIMEOUT_MS} ms` },
      },
      providers: [],
    };
  }
  const upstream = services.analyzer.upstreamCircuit;
  return {
    dependencies: Object.fromEntries(
      readiness.dependencies.map(({ name, ...state }) => [name, state]),
    ),
    providers: [
      ...readiness.providers,
      ...(upstream
        ? [{ provider: 'upstream-analyze', model: 'docuthinker-aiml', state: upstream }]
        : []),
    ],
  };
}

/**
 * `/health` is liveness and touches nothing. `/ready` is 503 when an
 * enabled index does not answer; provider circuits and where users' AI
 * calls are counted are reported but never make the gateway unready: the
 * offline engine can always answer, and each replica can count on its own.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  connection: EngineConnection,
  aiCallCounters: RateLimiterFactory,
): void {
  app.get(
    '/health',
    {
      logLevel: 'silent',
      schema: {
        summary: 'Liveness: answers without calling any dependency',
        tags: ['meta'],
        response: { 200: livenessReport },
      },
    },
    async () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness of the indexes, and provider circuits and AI call counters',
        tags: ['meta'],
        alsoAnswers: {
          503: 'An enabled index does not answer: the same body, with status "unavailable" and a detail',
        },
        response: { 200: readinessReport, 503: readinessReport },
      },
    },
    async (_request, reply) => {
      const { dependencies, providers } = await dependencyReport(connection);
      const down = Object.entries(dependencies).filter(([, state]) => state.state === 'down');
      return reply.status(down.length === 0 ? 200 : 503).send({
        status: down.length === 0 ? 'ready' : 'unavailable',
        ...(down.length > 0
          ? { detail: down.map(([name, state]) => `${name}: ${state.error ?? 'down'}`).join('; ') }
          : {}),
        dependencies,
        providers,
        // Reported, never unready: while Redis is out of reach each replica counts on its own.
        aiCallCounters: {
          adapter: aiCallCounters.adapter,
          state: aiCallCounters.available() ? 'up' : 'down',
        },
      });
    },
  );
  // Anyone on the internet may ask: one probe of the stores answers every
  // request within a second, however many arrive.
  let latest: { at: number; report: ReturnType<typeof dependencyReport> } | undefined;
  const sharedReport = () => {
    if (!latest || performance.now() - latest.at > PUBLIC_PROBE_SHARED_MS) {
      latest = { at: performance.now(), report: dependencyReport(connection) };
    }
    return latest.report;
  };
  // The load balancer sends only /ai/* here, so this is the gateway's
  // readiness as the pipelines' smoke step sees it from outside. The same
  // verdict, without the stores' error text or the provider circuits.
  app.get(
    '/ai/ready',
    {
      schema: {
        summary: 'Readiness through the load balancer: each index up or down, no detail',
        tags: ['meta'],
        alsoAnswers: {
          503: 'An enabled index does not answer: the same body, status "unavailable"',
        },
        response: { 200: publicReadinessReport, 503: publicReadinessReport },
      },
    },
    async (_request, reply) => {
      const { dependencies } = await sharedReport();
      const ready = Object.values(dependencies).every((state) => state.state !== 'down');
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'unavailable',
        dependencies: Object.fromEntries(
          Object.entries(dependencies).map(([name, { state, adapter }]) => [
            name,
            adapter === undefined ? { state } : { state, adapter },
          ]),
        ),
      });
    },
  );
}
