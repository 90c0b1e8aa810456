import type { AiTaskName } from '../tasks/task-types';

/**
 * What the FastAPI container's `/analyze` computes (summary, insights,
 * discussion, topics, sentiment, translation, question answering); other
 * tasks fall through the chain. Its own file so that the offline engine's
 * hints can name the upstream only for these without loading the adapter.
 */
export const UPSTREAM_TASKS: ReadonlySet<AiTaskName | 'answer'> = new Set<AiTaskName | 'answer'>([
  'summary',
  'key-ideas',
  'discussion-points',
  'topics',
  'sentiment',
  'summary-in-language',
  'answer',
]);
