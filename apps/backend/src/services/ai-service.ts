import { createHash } from 'node:crypto';
import {
  clipText,
  hasVisibleText,
  MAX_SUMMARY_OPTION_CHARS,
  inapplicableTaskOptions,
  REQUIRED_TASK_OPTIONS,
  TASK_OPTIONS,
  type AiTaskName,
  type TaskRequest,
} from '@docuthinker/contracts';
import type { CacheStore, DocumentStore } from '@docuthinker/stores';
import type { GatewayCallContext, GatewayClient } from '../gateway/gateway-client';
import { extractiveSummary } from './extractive-summary';
import { titleIfVisible } from './gateway-title';
import { documentAiResultsPrefix, ownerCachePrefixes } from './owner-cache-keys';
import {
  InapplicableTaskOptionError,
  MissingTaskOptionError,
  NotFoundError,
} from './service-errors';

export type TaskOptions = NonNullable<TaskRequest['options']>;

export interface AiTaskResult {
  result: unknown;
  provider: string;
  model: string;
  cached: boolean;
  degraded: boolean;
  /**
   * What the AI engine says it did with the request (the refinement it
   * applied, a text it did not judge); absent when it said nothing. Found in
   * an exploratory test: dropped here, a user could not tell an instruction
   * had been read another way.
   */
  notes?: string[];
}

/** Results depend only on what goes into the prompt, so they can live long. */
const RESULT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Everything the gateway's prompt is built from: the text (by its hash), the
 * title and the options. A key without the title gave one user's answer,
 * which quotes the title, to anyone who sent the same text under another.
 */
function promptFingerprint(contentHash: string, title: string | undefined, options: TaskOptions) {
  const sortedOptions = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([contentHash, title ?? null, sortedOptions]))
    .digest('hex')
    .slice(0, 40);
}

/**
 * AI tasks over stored documents or ad-hoc text, through the gateway, with
 * results cached per owner (and per document, for a stored one) by task and
 * prompt (text hash, title, options). Degraded answers (the
 * gateway's offline fallback) are not cached, so the real answer replaces
 * them as soon as a provider is back.
 */
export class AiService {
  constructor(
    private readonly documents: DocumentStore,
    private readonly cache: CacheStore,
    private readonly gateway: GatewayClient,
  ) {}

  async runOnDocument(
    ownerId: string,
    documentId: string,
    task: AiTaskName,
    options: TaskOptions,
    context?: GatewayCallContext,
  ): Promise<AiTaskResult> {
    const document = await this.documents.get(ownerId, documentId);
    if (!document) throw new NotFoundError('document');
    // Refining works on the stored summary unless the caller brings one. An
    // AI summary is stored as the gateway gave it: cut to what the option takes.
    const effective =
      task === 'refine-summary' && !options.summary
        ? { ...options, summary: clipText(summaryToRefine(document), MAX_SUMMARY_OPTION_CHARS) }
        : options;
    return this.run(
      documentAiResultsPrefix(ownerId, documentId),
      document.contentHash,
      task,
      effective,
      { text: document.text, ...titleIfVisible(document.title) },
      context,
      // Deleted while the gateway answered: its delete job may already have
      // dropped its results, and this one would stay for its day.
      async () => (await this.documents.titlesOf(ownerId, [documentId])).has(documentId),
    );
  }

  async runOnText(
    ownerId: string,
    text: string,
    task: AiTaskName,
    options: TaskOptions,
    title?: string,
    context?: GatewayCallContext,
  ): Promise<AiTaskResult> {
    const contentHash = createHash('sha256').update(text).digest('hex');
    return this.run(
      ownerCachePrefixes(ownerId).aiResults,
      contentHash,
      task,
      options,
      { text, ...(title ? { title } : {}) },
      context,
    );
  }

  /** `keyPrefix`: the owner's (ad-hoc text) or the document's (see documentAiResultsPrefix). */
  private async run(
    keyPrefix: string,
    contentHash: string,
    task: AiTaskName,
    options: TaskOptions,
    content: { text: string; title?: string },
    context?: GatewayCallContext,
    /** Asked after a result is cached: false removes it again. */
    stillCacheable?: () => Promise<boolean>,
  ): Promise<AiTaskResult> {
    const inapplicable = inapplicableTaskOptions(task, options);
    if (inapplicable.length > 0) {
      throw new InapplicableTaskOptionError(task, inapplicable, TASK_OPTIONS[task]);
    }
    for (const option of REQUIRED_TASK_OPTIONS[task] ?? []) {
      if (!options[option]) throw new MissingTaskOptionError(task, option);
    }
    // Per owner: `cached: true` on a shared entry would tell a user that
    // somebody else had sent this very text.
    const key = `${keyPrefix}${task}:${promptFingerprint(contentHash, content.title, options)}`;
    const cached = await this.cache.get<Omit<AiTaskResult, 'cached'>>(key);
    if (cached) return { ...cached, cached: true };

    const answer = await this.gateway.runTask(
      task,
      { ...content, ...(Object.keys(options).length > 0 ? { options } : {}) },
      context,
    );
    const result = {
      result: answer.output,
      provider: answer.provider,
      model: answer.model,
      degraded: answer.degraded,
      ...(answer.notes && answer.notes.length > 0 ? { notes: answer.notes } : {}),
    };
    if (!answer.degraded) {
      await this.cache.set(key, result, RESULT_TTL_MS);
      if (stillCacheable && !(await stillCacheable())) await this.cache.delete(key);
    }
    return { ...result, cached: false };
  }
}

/**
 * The stored summary, or, when it shows nothing (an upload's opening summary
 * of zero-width characters, before extractiveSummary skipped them), the
 * opening read again from the text: the gateway refuses an invisible
 * summary, so refining such a document answered 502 every time.
 */
function summaryToRefine(document: { summary: string; text: string }): string {
  const summary = hasVisibleText(document.summary)
    ? document.summary
    : extractiveSummary(document.text);
  return summary.trim();
}
