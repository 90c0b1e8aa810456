import { TaskUnsupportedError } from '../errors';
import type { AiTaskName, TaskInput, TaskOutputs } from '../tasks/task-types';
import { words } from '../text/tokenize';
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

/** "en", "en-GB", "eng", "English", "english (US)", "British English" (exploratory test). */
const NAMES_ENGLISH =
  /^(?:(?:british|american|australian|canadian|uk|us)\s+)?(?:en|eng|english)(?:[-_ (].*)?$/i;
/** Fewer words than this could be another language's (readsAsEnglish takes short texts as they are). */
const FEWEST_WORDS_TO_CALL_ENGLISH = 20;
/**
 * English function words that other languages written in Latin letters do
 * not use as words ("a", "in", "no" and "me" are Spanish, Italian or German
 * too): in a short text, a third of its words or more, two at least, say
 * English (exploratory test: "The cat sat on the mat. It was happy." was
 * refused as a translation).
 */
const DISTINCTLY_ENGLISH = new Set(
  'the and of is was were are it its this that with for on at by from be been have has had they we you he she which what there their not an would could should'.split(
    ' ',
  ),
);
const SHORT_TEXT_ENGLISH_SHARE = 1 / 3;

/** Whether the text is English: by readsAsEnglish when long enough to tell, else by its function words. */
function isEnglishProse(text: string): boolean {
  const all = words(text);
  if (all.length >= FEWEST_WORDS_TO_CALL_ENGLISH) return readsAsEnglish(text, () => false);
  const english = all.filter((word) => DISTINCTLY_ENGLISH.has(word)).length;
  return english >= 2 && english / all.length >= SHORT_TEXT_ENGLISH_SHARE;
}

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
  'summary-in-language': ({ text, options }) => {
    // An English summary of an English text needs no translation (found in
    // review: it was refused as one the engine cannot make). Into any other
    // language it would be a translation, which it refuses rather than
    // answer with something else.
    const language = options?.language ?? '';
    if (NAMES_ENGLISH.test(language.trim()) && isEnglishProse(text)) {
      return { output: { language, text: extractiveSummary(text), translated: false } };
    }
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
        // Found in an operator walkthrough: "it can make a summary shorter; it
        // cannot apply 'shorter'" read as a contradiction. What it can do is
        // said only when the instructions asked for something else.
        refined.understood
          ? `the offline engine could not apply "${instructions}" by re-selecting the text's sentences: ${refined.reason}`
          : `the offline engine can only make a summary shorter, longer, a number of sentences long or focus it on a topic the text mentions; it cannot apply "${instructions}": ${refined.reason}`,
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
