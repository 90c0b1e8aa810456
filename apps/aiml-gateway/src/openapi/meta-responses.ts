import * as z from 'zod';

/*
 * What the meta routes answer, for /openapi.json: they build their bodies
 * themselves, and the serializer sends them as they are (zod-validation.ts),
 * so these schemas document and never filter. Found in an exploratory test:
 * their 200s declared no content at all.
 */

/** `/health`: alive, answered without calling anything. */
export const livenessReport = z.object({ status: z.literal('ok') });

const readinessStatus = z.enum(['ready', 'unavailable']);
const dependencyState = z
  .enum(['up', 'down', 'disabled'])
  .describe('disabled: switched off (DOCUTHINKER_SYNC_*=false), which is still ready');

/** `/ready`, for the operator: each index with the store's own error, the provider circuits, the AI call counters. */
export const readinessReport = z.object({
  status: readinessStatus,
  detail: z.string().optional().describe('When unavailable: each index that is down, and why'),
  dependencies: z
    .record(
      z.string(),
      z.object({
        state: dependencyState,
        adapter: z.string().optional(),
        error: z.string().optional(),
        circuit: z
          .string()
          .optional()
          .describe('The circuit breaker in front of the store, only while it is not closed'),
      }),
    )
    .describe(
      'vector-index and knowledge-graph; ai-engine alone while the engine is not connected',
    ),
  providers: z.array(z.looseObject({ provider: z.string(), model: z.string(), state: z.string() })),
  aiCallCounters: z
    .object({ adapter: z.string(), state: z.enum(['up', 'down']) })
    .describe('Where users’ AI calls are counted; down is reported, never unready'),
});

/** `/ai/ready`, through the load balancer: each index up or down, without detail. */
export const publicReadinessReport = z.object({
  status: readinessStatus,
  dependencies: z.record(
    z.string(),
    z.object({ state: dependencyState, adapter: z.string().optional() }),
  ),
});
