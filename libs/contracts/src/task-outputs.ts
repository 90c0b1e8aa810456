import * as z from 'zod';
// Types only: ai-tasks.ts imports taskOutput from here.
import type { AiTaskName } from './ai-tasks';

const keyPhrase = z.object({
  phrase: z.string(),
  score: z.number(),
  occurrences: z.number().int().nonnegative(),
});

const namedEntity = z.object({
  /** The most frequent spelling in the text. */
  name: z.string(),
  /** Folded, lower-cased name: the entity's identity within one owner. */
  key: z.string(),
  type: z.enum(['organization', 'acronym', 'name']),
  mentions: z.number().int().nonnegative(),
});

/**
 * What each task answers with, whichever provider runs it (the offline
 * engine and the remote providers' parsers build the same shapes:
 * libs/ai-engine's TaskOutputs). Documentation of `output`; the gateway's
 * tests hold every task's answer to it.
 */
export const TASK_OUTPUTS = {
  summary: z.string(),
  'key-ideas': z.array(z.string()),
  'discussion-points': z.array(z.string()),
  'bullet-summary': z.array(z.string()),
  'summary-in-language': z.object({
    language: z.string(),
    text: z.string(),
    /** False when the text already was in that language. */
    translated: z.boolean(),
  }),
  rewrite: z.object({ style: z.string(), text: z.string() }),
  recommendations: z.array(z.string()),
  'refine-summary': z.string(),
  sentiment: z.object({
    score: z.number().min(-1).max(1),
    label: z.enum(['positive', 'negative', 'neutral', 'mixed']),
    description: z.string(),
  }),
  topics: z.object({ keyPhrases: z.array(keyPhrase), entities: z.array(namedEntity) }),
} as const satisfies Record<AiTaskName, z.ZodType>;

/** The tasks that answer with each shape, in the order of TASK_OUTPUTS. */
function tasksByShape(): { tasks: AiTaskName[]; schema: Record<string, unknown> }[] {
  const shapes = new Map<string, { tasks: AiTaskName[]; schema: Record<string, unknown> }>();
  for (const task of Object.keys(TASK_OUTPUTS) as AiTaskName[]) {
    const schema: Record<string, unknown> = z.toJSONSchema(TASK_OUTPUTS[task]);
    delete schema['$schema'];
    const key = JSON.stringify(schema);
    const shape = shapes.get(key);
    if (shape) shape.tasks.push(task);
    else shapes.set(key, { tasks: [task], schema });
  }
  return [...shapes.values()];
}

/**
 * A task's `output` in an answer: any value at run time (the answer is
 * passed on as the provider's parser built it), documented as the shape of
 * each task, titled with the tasks that answer with it.
 */
export const taskOutput = z.unknown().meta({
  description:
    'The task’s result, shaped by `task`: text (summary, refine-summary), a list of texts (key-ideas, discussion-points, bullet-summary, recommendations) or an object (sentiment, topics, summary-in-language, rewrite)',
  anyOf: tasksByShape().map(({ tasks, schema }) => ({ title: tasks.join(', '), ...schema })),
});
