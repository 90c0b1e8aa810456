import * as z from 'zod';
import { TaskUnsupportedError } from '../errors';
import type {
  AiTaskName,
  AnswerOutput,
  AnswerRequest,
  TaskInput,
  TaskOutputs,
} from '../tasks/task-types';
import type { AiProvider, ProviderReply } from './ai-provider';
import { postJson } from './http-json';
import { atMostItems, withoutListMarker } from './parse-task-output';
import { parseAnswer } from './streamed-answer';
import { ProviderError } from './provider-error';
import { trimSlash } from './remote-provider-options';
import { UPSTREAM_TASKS } from './upstream-tasks';
import { collapseWhitespace } from '../text/collapse-whitespace';

const StringList = z
  .union([z.array(z.unknown()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split('\n'))
      .map((item) => withoutListMarker(typeof item === 'string' ? item : JSON.stringify(item)))
      .filter((item) => item.length > 0),
  );

/** The FastAPI AI/ML container's `/analyze` answer; only the fields the gateway reads. */
const AnalyzeResponse = z.object({
  summary: z.string().optional(),
  topics: StringList.optional(),
  qa: z.unknown().optional(),
  discussion: StringList.optional(),
  insights: StringList.optional(),
  sentiment: z
    .object({
      label: z.string(),
      confidence: z.number().optional(),
      rationale: z.string().optional(),
    })
    .optional(),
  translation: z.unknown().optional(),
  rag: z
    .object({
      qa_answer: z.string().nullable().optional(),
      citations: z.array(z.object({ snippet: z.string() }).partial()).optional(),
    })
    .partial()
    .optional(),
});
type Analysis = z.infer<typeof AnalyzeResponse>;

export interface UpstreamProviderOptions {
  /** Origin of the FastAPI container, e.g. `http://127.0.0.1:8001`. */
  readonly url: string;
  /** What the container reports as its model, for the `model` field of answers. */
  readonly model?: string;
}

/**
 * What the container's answers mean for the chain (see ProviderFailureKind).
 * A body that is not the contract's shape (a field the task reads is absent,
 * or of the wrong type) is `malformed`: something is wrong with the
 * container, and it counts towards its circuit. A contract-valid answer with
 * nothing in it for this request is `unusable`: `qa` and `rag.qa_answer`
 * null (the container found no answer to the question), `translation` null
 * (it did not translate this document), blank text, or a sentiment label it
 * is free to write but the gateway cannot read. That is the container's
 * honest answer about one request, as a hosted model's refusal or empty
 * answer is: the call moves on to the next provider (which may do better
 * with the same request; the offline engine says so itself when the passages
 * hold no answer), and it counts towards no circuit, since an open circuit
 * would take every task (summaries, sentiment, ...) away from a healthy
 * container for everyone.
 */
function missing(field: string): ProviderError {
  return new ProviderError('upstream', 'malformed', `/analyze answered without ${field}`);
}

function unanswered(detail: string): ProviderError {
  return new ProviderError('upstream', 'unusable', `/analyze answered ${detail}`);
}

function isBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

/** A field the contract requires: absent is malformed, blank text is no answer (see missing). */
function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw missing(field);
  if (isBlank(value)) throw unanswered(`${field} that is blank`);
  return value;
}

/**
 * A text field the contract allows to be null: the first of `values` with
 * text in it; null or blank is the container's "none" (unusable), all of them
 * absent or of another type is malformed (see missing).
 */
function nullableText(values: readonly unknown[], field: string): string {
  const text = values.map(textOf).find((value) => value !== undefined && !isBlank(value));
  if (text !== undefined) return text;
  if (values.some((value) => value === null || isBlank(value))) throw unanswered(`no ${field}`);
  throw missing(`a ${field}`);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    for (const field of ['text', 'answer', 'translation', 'content']) {
      const inner = (value as Record<string, unknown>)[field];
      if (typeof inner === 'string') return inner;
    }
  }
  return undefined;
}

/**
 * The FastAPI AI/ML container as a provider: its `/analyze` endpoint serves
 * the tasks it computes (summary, insights, discussion, topics, sentiment,
 * translation, question answering); other tasks fall through the chain.
 */
export class UpstreamProvider implements AiProvider {
  readonly name = 'upstream' as const;
  readonly model: string;
  private readonly url: string;

  constructor(options: UpstreamProviderOptions) {
    this.url = `${trimSlash(options.url)}/analyze`;
    this.model = options.model ?? 'docuthinker-aiml';
  }

  supports(task: AiTaskName | 'answer'): boolean {
    return UPSTREAM_TASKS.has(task);
  }

  async runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal: AbortSignal,
  ): Promise<ProviderReply<TaskOutputs[T]>> {
    if (!this.supports(task)) {
      throw new TaskUnsupportedError(
        task,
        'the upstream AI/ML service does not offer this task',
        [],
      );
    }
    const language = input.options?.language;
    const analysis = await this.analyze(
      {
        document: input.text,
        ...(task === 'summary-in-language' && language ? { translate_lang: language } : {}),
      },
      signal,
    );
    const output = this.outputFor(task, analysis, input) as TaskOutputs[T];
    return { output: atMostItems(task, output, input.options?.maxItems), model: this.model };
  }

  async answer(request: AnswerRequest, signal: AbortSignal): Promise<ProviderReply<AnswerOutput>> {
    const document = request.passages
      .map((passage, index) => `[${index + 1}] ${passage.text}`)
      .join('\n\n');
    const analysis = await this.analyze({ document, question: request.question }, signal);
    // `rag.qa_answer` and `qa` both null: the container found no answer to
    // this question, which fails over without counting against it (see missing).
    const answer = nullableText([analysis.rag?.qa_answer, analysis.qa], 'answer to the question');
    const parsed = parseAnswer(this.name, answer, request.passages.length);
    if (parsed.citedPassages.length > 0) return { output: parsed, model: this.model };
    // The container's answers carry no markers: it cites by its own snippets
    // of the text it was sent, the passages numbered "[n]".
    const citedPassages = passagesQuoted(analysis.rag?.citations ?? [], request.passages);
    return { output: { ...parsed, citedPassages }, model: this.model };
  }

  private async analyze(body: Record<string, unknown>, signal: AbortSignal): Promise<Analysis> {
    const parsed = AnalyzeResponse.safeParse(
      await postJson(this.name, { url: this.url, headers: {}, body, signal }),
    );
    if (!parsed.success)
      throw new ProviderError(this.name, 'malformed', '/analyze answered with an unexpected shape');
    return parsed.data;
  }

  private outputFor(
    task: AiTaskName,
    analysis: Analysis,
    input: TaskInput,
  ): TaskOutputs[AiTaskName] {
    switch (task) {
      case 'summary':
        return required(analysis.summary, 'a summary');
      case 'key-ideas':
        return required(analysis.insights, 'insights');
      case 'discussion-points':
        return required(analysis.discussion, 'discussion points');
      case 'topics': {
        const topics = required(analysis.topics, 'topics');
        return {
          keyPhrases: topics.map((phrase, index) => ({
            phrase,
            score: Number((1 - index / topics.length).toFixed(4)),
            occurrences: 0,
          })),
          entities: [],
        };
      }
      case 'sentiment': {
        const sentiment = required(analysis.sentiment, 'a sentiment');
        const label = (['positive', 'negative', 'neutral', 'mixed'] as const).find(
          (known) => known === sentiment.label.toLowerCase(),
        );
        if (!label)
          // Not quoted: the label is the container's free text, which the
          // contract allows, so it is no answer rather than a fault (see missing).
          throw new ProviderError(this.name, 'unusable', 'an unknown sentiment label');
        const confidence = Math.min(1, Math.max(0, sentiment.confidence ?? 0.5));
        const score = label === 'positive' ? confidence : label === 'negative' ? -confidence : 0;
        return {
          score,
          label,
          description: sentiment.rationale ?? `${label} (confidence ${confidence})`,
        };
      }
      case 'summary-in-language':
        return {
          language: input.options?.language ?? 'English',
          // `translation` null: the container did not translate this document.
          text: nullableText([analysis.translation], 'translation'),
          translated: true,
        };
      default:
        throw new TaskUnsupportedError(
          task,
          'the upstream AI/ML service does not offer this task',
          [],
        );
    }
  }
}

/**
 * The passages (indexes) the container's citation snippets come from, each
 * once, in the order cited: a snippet names one by the "[n]" it starts with,
 * or by being a piece of its text.
 */
function passagesQuoted(
  citations: readonly { snippet?: string }[],
  passages: AnswerRequest['passages'],
): number[] {
  const texts = passages.map((passage) => collapseWhitespace(passage.text));
  const quoted: number[] = [];
  for (const { snippet = '' } of citations) {
    const numbered = /^\s*\[(\d+)\]\s*/.exec(snippet);
    const byNumber = numbered ? Number(numbered[1]) - 1 : -1;
    const piece = collapseWhitespace(numbered ? snippet.slice(numbered[0].length) : snippet);
    const passage =
      byNumber >= 0 && byNumber < passages.length
        ? byNumber
        : piece.length > 0
          ? texts.findIndex((text) => text.includes(piece))
          : -1;
    if (passage !== -1 && !quoted.includes(passage)) quoted.push(passage);
  }
  return quoted;
}
