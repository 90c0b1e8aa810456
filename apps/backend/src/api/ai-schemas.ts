import * as z from 'zod';
import {
  AI_TASK_NAMES,
  taskOutput,
  MAX_SUMMARY_OPTION_CHARS,
  MAX_TEXT_CHARS,
  visibleTextField,
} from '@docuthinker/contracts';

export const aiTaskParam = z.object({ task: z.enum(AI_TASK_NAMES) });

// Free text is made well-formed as the gateway's contract makes it: a lone
// surrogate would otherwise reach it as a 6-byte JSON escape.
const option = (max: number) => visibleTextField(max).optional();

/**
 * Options a user may pass. refine-summary needs `summary` and `instructions`;
 * on a stored document its summary is taken when none is given. Each task
 * takes only the options it reads (TASK_OPTIONS, libs/contracts): another is
 * 400, not ignored.
 */
export const aiTaskOptions = z
  .object({
    language: option(64),
    style: option(64),
    instructions: option(2_000),
    summary: option(MAX_SUMMARY_OPTION_CHARS),
    maxItems: z.number().int().min(1).max(50).optional(),
  })
  .strict();

export const textTaskBody = aiTaskOptions
  .extend({ text: visibleTextField(MAX_TEXT_CHARS), title: option(500) })
  .strict();

export const aiTaskResult = z.object({
  result: taskOutput,
  provider: z.string(),
  model: z.string(),
  cached: z.boolean(),
  degraded: z.boolean(),
  notes: z
    .array(z.string())
    .optional()
    .describe(
      'What the AI engine did with the request, when it says (the refinement it applied, a text whose sentiment it did not judge)',
    ),
});
