import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import {
  aiTaskName,
  inapplicableTaskOptions,
  REQUIRED_TASK_OPTIONS,
  TASK_OPTIONS,
  taskRequest,
  taskResponse,
  type AiTaskName,
  type TaskRequest,
  type TaskResponse,
} from '@docuthinker/contracts';
import type { EngineConnection } from '../../engine/engine-connection';
import { problem } from '../../errors';
import { clientAbortSignal } from '../../http/client-abort-signal';

const taskParams = z.object({ task: aiTaskName }).strict();

/** `POST /ai/v1/tasks/:task`: one AI task through the provider chain. */
export function registerTaskRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  scope.post<{ Params: { task: AiTaskName }; Body: TaskRequest }>(
    '/ai/v1/tasks/:task',
    {
      config: { aiCall: true },
      schema: {
        summary: 'Run an AI task on a text',
        tags: ['tasks'],
        // 404: no such task; 422: the offline engine's worker ran out of memory
        // on the text; 501: no configured provider can run it (the offline engine cannot);
        // 502: every provider asked refused it (DT_ERR_PROVIDERS_REFUSED).
        problems: [404, 422, 501, 502],
        params: taskParams,
        body: taskRequest,
        response: { 200: taskResponse },
      },
      // An unknown task is a missing resource, whatever the body holds: so
      // before the body is read and checked (a malformed or oversized body,
      // a content type or a query string was answered first; found in review).
      // Route hooks run after the scope's, so a caller without a token still
      // gets 401.
      onRequest: async (request) => {
        const { task } = request.params as { task: string };
        if (!aiTaskName.safeParse(task).success) {
          throw problem('DT_ERR_TASK_NOT_FOUND', `there is no task "${task}"`);
        }
      },
    },
    async (request, reply): Promise<TaskResponse> => {
      const { task } = request.params;
      const { text, title, options, offline } = request.body;
      // An option the task does not read would be ignored: refused instead.
      const inapplicable = inapplicableTaskOptions(task, options);
      if (inapplicable.length > 0) {
        throw problem(
          'DT_ERR_VALIDATION',
          `${task} takes ${TASK_OPTIONS[task].map((o) => `options.${o}`).join(', ') || 'no options'}`,
          {
            errors: inapplicable.map((option) => ({
              path: `body.options.${option}`,
              message: `does not apply to ${task}`,
            })),
          },
        );
      }
      const missing = (REQUIRED_TASK_OPTIONS[task] ?? []).filter(
        (option) => options?.[option] === undefined,
      );
      if (missing.length > 0) {
        throw problem(
          'DT_ERR_VALIDATION',
          `${task} needs ${missing.map((o) => `options.${o}`).join(', ')}`,
          {
            errors: missing.map((option) => ({
              path: `body.options.${option}`,
              message: `is required for ${task}`,
            })),
          },
        );
      }
      const result = await connection
        .require()
        .engine.runTask(task, { text, title, options }, clientAbortSignal(reply), { offline });
      return {
        task: result.task,
        output: result.output,
        provider: result.provider,
        model: result.model,
        degraded: result.degraded,
        ...(result.usage ? { usage: result.usage } : {}),
        // Not in the contract (clients ignore it): why an answer is degraded, e.g. untranslated.
        ...(result.notes.length > 0 ? { notes: [...result.notes] } : {}),
      };
    },
  );
}
