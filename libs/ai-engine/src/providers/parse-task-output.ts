import * as z from 'zod';
import type { AiTaskName, TaskInput, TaskOutputs } from '../tasks/task-types';
import { ProviderError } from './provider-error';
import { requestedItems } from './task-prompts';

/** The furthest from 0 a score the model calls neutral may be. */
const NEUTRAL_SCORE_AT_MOST = 0.35;

/**
 * Whether the label says what the score says: a model answered `-0.95`
 * with "positive", and the contradiction went out as the provider's answer.
 * "mixed" may lean either way.
 */
function labelAgreesWithScore(label: string, score: number): boolean {
  if (label === 'positive') return score > 0;
  if (label === 'negative') return score < 0;
  if (label === 'neutral') return Math.abs(score) <= NEUTRAL_SCORE_AT_MOST;
  return true;
}

const SentimentJson = z
  .object({
    score: z.number().min(-1).max(1),
    label: z.enum(['positive', 'negative', 'neutral', 'mixed']),
    description: z.string().trim().min(1),
  })
  .refine(({ label, score }) => labelAgreesWithScore(label, score));

/** Blank phrases and names say nothing: dropped, as the model's padding. */
const nonBlankStrings = z
  .array(z.string())
  .transform((values) => values.map((value) => value.trim()).filter((value) => value.length > 0));

const TopicsJson = z.object({
  keyPhrases: nonBlankStrings,
  entities: z
    .array(
      z.object({
        name: z.string().trim(),
        type: z.enum(['organization', 'acronym', 'name']).catch('name'),
      }),
    )
    .default([])
    .transform((entities) => entities.filter((entity) => entity.name.length > 0)),
});

/** The model answered in its API's format, but not with what the task asked for. */
function malformed(provider: string, what: string): ProviderError {
  return new ProviderError(provider, 'unusable', `the reply is not ${what}`);
}

/**
 * A list item's bullet or number: "- ", "•", "3. ", "3) ". A number needs the
 * space after it, so "3.5% growth" keeps its 3; a bullet may touch a word.
 * A bullet or number alone on its line is an empty item, dropped.
 */
const LIST_MARKER = /^(?:[-*•](?:\s+|(?=\p{L})|$)|\d+[.)](?:\s+|$))/u;

/**
 * How a model's refusal or apology opens ("I'm sorry, but…", "I cannot
 * help…", "As an AI…"). Read only where nothing marks the lines as a list:
 * several lines of prose are taken as unbulleted items, and a two-line
 * refusal went out as the key ideas.
 */
const REFUSAL_OPENING =
  /^(?:(?:I['’]m|I am) (?:sorry|unable|not able)|sorry\b|I apologi[sz]e|I (?:can(?:not|['’]t)|won['’]t|will not)\b|as an? (?:AI(?: language model| assistant| model)?|language model),)/iu;

/** A list item's text without its bullet or number. */
export function withoutListMarker(line: string): string {
  return line.trim().replace(LIST_MARKER, '').trim();
}

/** A Markdown code fence, which models put around lists too. */
const FENCE = /^\s*(?:```|~~~)/;

/**
 * Lines of a "- item" list; numbering and bullets are accepted too. Fences
 * are not items, nor is a line ending in a colon before marked items (the
 * model's "Here are the key ideas:"). One line without a marker is prose,
 * not a list: a refusal ("I cannot help with that") went out as the list.
 */
export function parseList(provider: string, text: string): string[] {
  const lines = text.split('\n').filter((line) => line.trim().length > 0 && !FENCE.test(line));
  const marked = lines.filter((line) => LIST_MARKER.test(line.trim()));
  if (marked.length === 0 && (lines.length < 2 || REFUSAL_OPENING.test(lines[0]?.trim() ?? ''))) {
    throw malformed(provider, 'a list');
  }
  const items = lines
    .filter((line) => marked.length === 0 || marked.includes(line) || !line.trim().endsWith(':'))
    .map(withoutListMarker)
    .filter((line) => line.length > 0);
  if (items.length === 0) throw malformed(provider, 'a list');
  return items;
}

/** The first JSON object in a reply, tolerating Markdown code fences around it. */
export function parseJsonObject(provider: string, text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) throw malformed(provider, 'JSON');
  try {
    return JSON.parse(text.slice(start, end + 1)) as unknown;
  } catch {
    throw malformed(provider, 'JSON');
  }
}

function nonEmpty(provider: string, text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw malformed(provider, 'text (it is empty)');
  return trimmed;
}

type Parsers = {
  [K in AiTaskName]: (provider: string, text: string, input: TaskInput) => TaskOutputs[K];
};

const PARSERS: Parsers = {
  summary: (provider, text) => nonEmpty(provider, text),
  'key-ideas': parseList,
  'discussion-points': parseList,
  'bullet-summary': parseList,
  recommendations: parseList,
  'refine-summary': (provider, text) => nonEmpty(provider, text),
  'summary-in-language': (provider, text, input) => ({
    language: input.options?.language ?? 'English',
    text: nonEmpty(provider, text),
    translated: true,
  }),
  rewrite: (provider, text, input) => ({
    style: input.options?.style ?? 'concise',
    text: nonEmpty(provider, text),
  }),
  sentiment: (provider, text) => {
    const parsed = SentimentJson.safeParse(parseJsonObject(provider, text));
    if (!parsed.success) throw malformed(provider, 'sentiment JSON');
    return parsed.data;
  },
  topics: (provider, text) => {
    const parsed = TopicsJson.safeParse(parseJsonObject(provider, text));
    if (!parsed.success) throw malformed(provider, 'topics JSON');
    // Nothing left once blanks are dropped: unusable, as an empty list is,
    // so the next provider (at last the offline engine) is asked.
    if (parsed.data.keyPhrases.length === 0 && parsed.data.entities.length === 0) {
      throw malformed(provider, 'topics JSON with a phrase or an entity');
    }
    const count = parsed.data.keyPhrases.length;
    return {
      // Providers rank but do not score; the rank becomes a score in (0, 1].
      keyPhrases: parsed.data.keyPhrases.map((phrase, index) => ({
        phrase,
        score: Number((1 - index / Math.max(1, count)).toFixed(4)),
        occurrences: 0,
      })),
      entities: parsed.data.entities.map((entity) => ({
        name: entity.name,
        key: entity.name.toLowerCase(),
        type: entity.type,
        mentions: 0,
      })),
    };
  },
};

/** `cut`: the model stopped at its output limit, so the text ends mid-answer. */
export function parseTaskOutput<T extends AiTaskName>(
  provider: string,
  task: T,
  text: string,
  input: TaskInput,
  cut = false,
): TaskOutputs[T] {
  const output = (
    PARSERS[task] as (provider: string, text: string, input: TaskInput) => TaskOutputs[T]
  )(provider, text, input);
  return atMostItems(task, cut ? withoutCutLastItem(output) : output, requestedItems(task, input));
}

/**
 * A list answer (or topics' phrases and entities) cut to `limit` items:
 * models do not always count, and the upstream container answers one fixed
 * analysis whatever was asked.
 */
export function atMostItems<T extends AiTaskName>(
  task: T,
  output: TaskOutputs[T],
  limit: number | undefined,
): TaskOutputs[T] {
  if (limit === undefined || limit < 1) return output;
  if (Array.isArray(output)) return output.slice(0, limit) as TaskOutputs[T];
  if (task === 'topics') {
    const topics = output as TaskOutputs['topics'];
    return {
      ...topics,
      keyPhrases: topics.keyPhrases.slice(0, limit),
      entities: topics.entities.slice(0, limit),
    } satisfies TaskOutputs['topics'] as unknown as TaskOutputs[T];
  }
  return output;
}

/**
 * A list whose last item may have been cut mid-word by the model's output
 * limit: that item is dropped while others remain.
 */
function withoutCutLastItem<T>(output: T): T {
  return Array.isArray(output) && output.length > 1 ? (output.slice(0, -1) as T) : output;
}
