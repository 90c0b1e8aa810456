import * as z from 'zod';
import { TASK_OUTPUTS, taskOutput } from './task-outputs';
import { visibleTextField } from './well-formed-text';

/** The AI tasks both services expose; the gateway runs them, the backend calls it. */
export const AI_TASK_NAMES = [
  'summary',
  'key-ideas',
  'discussion-points',
  'bullet-summary',
  'summary-in-language',
  'rewrite',
  'recommendations',
  'refine-summary',
  'sentiment',
  'topics',
] as const;

export const aiTaskName = z.enum(AI_TASK_NAMES);
export type AiTaskName = z.infer<typeof aiTaskName>;

/** Largest text a task or index request carries (characters). */
export const MAX_TEXT_CHARS = 2_000_000;

/**
 * The most an AI answer (an analysis, a task's result) takes on the wire:
 * room for a translation of the largest text, as long as the text (up to 4
 * UTF-8 bytes a character, more once JSON-escaped), beside summaries and
 * context that are far shorter. A reader stops at this rather than keep a
 * runaway or hostile answer whole in memory.
 */
export const MAX_AI_ANSWER_BYTES = MAX_TEXT_CHARS * 8 + 8 * 1024 * 1024;

/** Longest summary `refine-summary` takes in its options (characters, once trimmed). */
export const MAX_SUMMARY_OPTION_CHARS = 100_000;

// Each option is read by the tasks TASK_OPTIONS lists, and refused on any other.
export const taskOptions = z
  .object({
    language: visibleTextField(64)
      .optional()
      .describe('summary-in-language (required): the language to summarise into, e.g. "French"'),
    style: visibleTextField(64)
      .optional()
      .describe(
        'rewrite (required): the style to rewrite in; the offline engine knows concise, plain and bullet-points',
      ),
    summary: visibleTextField(MAX_SUMMARY_OPTION_CHARS)
      .optional()
      .describe('refine-summary (required): the summary to refine'),
    instructions: visibleTextField(2_000)
      .optional()
      .describe(
        'refine-summary (required): how to refine it, e.g. "shorter and focus on licensing"',
      ),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(
        'key-ideas, discussion-points, bullet-summary, recommendations, topics: at most this many items',
      ),
  })
  .strict()
  .describe(
    'Only the options the task reads: summary-in-language needs language, rewrite needs style, refine-summary needs summary and instructions; any other option is refused with 400.',
  );

export const taskRequest = z
  .object({
    text: visibleTextField(MAX_TEXT_CHARS),
    title: visibleTextField(500).optional(),
    options: taskOptions.optional(),
    /**
     * false: only a remote provider may answer, never the offline engine;
     * without one for the task, 501 DT_ERR_TASK_UNSUPPORTED at once. For a
     * caller that has the offline engine's answer already (the backend
     * extracts a summary on upload), so none is computed only to be dropped.
     */
    offline: z.boolean().optional(),
  })
  .strict();
export type TaskRequest = z.infer<typeof taskRequest>;

/** Options a task cannot run without. */
export const REQUIRED_TASK_OPTIONS: Partial<
  Record<AiTaskName, (keyof z.infer<typeof taskOptions>)[]>
> = {
  'summary-in-language': ['language'],
  rewrite: ['style'],
  'refine-summary': ['summary', 'instructions'],
};

type TaskOptionName = keyof z.infer<typeof taskOptions>;

/** The options each task reads: any other is refused, not ignored. */
export const TASK_OPTIONS: Record<AiTaskName, readonly TaskOptionName[]> = {
  summary: [],
  'key-ideas': ['maxItems'],
  'discussion-points': ['maxItems'],
  'bullet-summary': ['maxItems'],
  'summary-in-language': ['language'],
  rewrite: ['style'],
  recommendations: ['maxItems'],
  'refine-summary': ['summary', 'instructions'],
  sentiment: [],
  topics: ['maxItems'],
};

/** The options given that `task` does not read, in the order given. */
export function inapplicableTaskOptions(
  task: AiTaskName,
  options: Partial<Record<TaskOptionName, unknown>> | undefined,
): TaskOptionName[] {
  const read: readonly string[] = TASK_OPTIONS[task];
  return Object.entries(options ?? {})
    .filter(([name, value]) => value !== undefined && !read.includes(name))
    .map(([name]) => name as TaskOptionName);
}

export const tokenUsage = z.object({
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
});

export const taskResponse = z.object({
  task: aiTaskName,
  output: taskOutput,
  provider: z.string(),
  model: z.string(),
  degraded: z.boolean(),
  usage: tokenUsage.optional(),
  /** What the offline engine did with the request's options (e.g. which refinement it applied). */
  notes: z.array(z.string()).optional(),
});
export type TaskResponse = z.infer<typeof taskResponse>;

/**
 * The answer to one task: `taskResponse` with that task named and its
 * output in that task's shape (TASK_OUTPUTS), for callers that check what
 * they pass on. `taskResponse` alone takes any task's shape (found in an
 * exploratory test: a sentiment of "positive" was passed on and cached).
 */
export function taskResponseFor(task: AiTaskName) {
  return taskResponse.extend({ task: z.literal(task), output: TASK_OUTPUTS[task] });
}
