import { TaskUnsupportedError } from '../errors';
import type { AiTaskName, TaskInput, TaskOutputs } from '../tasks/task-types';
import { discussionPoints, recommendations } from './discussion';
import { capableProvidersFor } from './generative-providers';
import { extractKeyPhrases } from './key-phrases';
import { extractNamedEntities } from './named-entities';
import { rewriteOffline } from './rewrite';
import { readsAsEnglish } from './reads-as-english';
import { analyseSentiment, isSentimentCue } from './sentiment';
import { bulletSummary, extractiveSummary, keyIdeas, refineSummary } from './summaries';

export interface OfflineTaskResult<T extends AiTaskName> {
  readonly output: TaskOutputs[T];
  /** True when the output is knowingly less than the task asked for. */
  readonly degraded: boolean;
  /** What the engine did or could not do, for the caller to show. */
  readonly notes: readonly string[];
}

type Handlers = {
  [K in AiTaskName]: (input: TaskInput) => {
    output: TaskOutputs[K];
    degraded?: boolean;
    notes?: string[];
  };
};

const handlers: Handlers = {
  summary: ({ text }) => ({ output: extractiveSummary(text) }),
  'key-ideas': ({ text, options }) => ({ output: keyIdeas(text, options?.maxItems) }),
  'bullet-summary': ({ text, options }) => ({ output: bulletSummary(text, options?.maxItems) }),
  'discussion-points': ({ text, options }) => ({
    output: discussionPoints(text, options?.maxItems),
  }),
  recommendations: ({ text, options }) => ({ output: recommendations(text, options?.maxItems) }),
  sentiment: ({ text }) => {
    if (readsAsEnglish(text, isSentimentCue)) return { output: analyseSentiment(text) };
    // No judgement rather than a confident "neutral": the word list is English.
    return {
      output: {
        score: 0,
        label: 'neutral',
        description:
          'Not judged: the offline sentiment word list reads English, and this text does not look English.',
      },
      degraded: true,
      notes: ['the offline engine judges the sentiment of English text only'],
    };
  },
  topics: ({ text, options }) => ({
    output: {
      keyPhrases: extractKeyPhrases(text, options?.maxItems ?? 10),
      entities: extractNamedEntities(text, options?.maxItems ?? 10),
    },
  }),
  rewrite: ({ text, options }) => {
    const style = options?.style ?? 'concise';
    return { output: { style, text: rewriteOffline(text, style) } };
  },
  'summary-in-language': ({ options }) => {
    // A summary in the document's own language is not a translation, so the
    // offline engine refuses rather than answer with something else.
    throw new TaskUnsupportedError(
      'summary-in-language',
      `the offline engine cannot translate${options?.language ? ` into ${options.language}` : ''}`,
      capableProvidersFor('summary-in-language'),
    );
  },
  'refine-summary': ({ text, options }) => {
    const instructions = options?.instructions ?? '';
    const refined = refineSummary(text, options?.summary ?? '', instructions);
    if (!refined.ok) {
      // Re-selected sentences that ignore any part of the instructions would be a fake refinement.
      throw new TaskUnsupportedError(
        'refine-summary',
        `the offline engine can make a summary shorter, longer, a number of sentences long or focus it on a topic the text mentions; it cannot apply "${instructions}": ${refined.reason}`,
        capableProvidersFor('refine-summary'),
      );
    }
    return {
      output: refined.text,
      notes:
        refined.applied.length > 0
          ? [
              `Applied by re-selecting sentences: ${refined.applied.join('; ')}.`,
              ...(refined.result ? [refined.result] : []),
            ]
          : [],
    };
  },
};

/**
 * The built-in offline engine: extractive and deterministic, no network.
 * Throws TaskUnsupportedError for what it cannot do honestly.
 */
export function runOfflineTask<T extends AiTaskName>(
  task: T,
  input: TaskInput,
): OfflineTaskResult<T> {
  const handler = handlers[task] as (input: TaskInput) => {
    output: TaskOutputs[T];
    degraded?: boolean;
    notes?: string[];
  };
  const result = handler(input);
  return { output: result.output, degraded: result.degraded ?? false, notes: result.notes ?? [] };
}
