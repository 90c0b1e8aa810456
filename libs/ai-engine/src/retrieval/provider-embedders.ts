import {
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import * as z from 'zod';
import { postJson } from '../providers/http-json';
import { KeyPool, withPooledKey } from '../providers/key-pool';
import { ProviderError } from '../providers/provider-error';
import { trimSlash } from '../providers/remote-provider-options';
import type { Embedder } from './embedder';

export interface ProviderEmbedderOptions {
  /** One key or a comma-separated pool. */
  readonly apiKeys: string;
  readonly model?: string;
  /** Requested output dimension; recorded with the index like the model. */
  readonly dimensions?: number;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
}

/** Embedding is part of indexing: retry what is safe to retry, then fail loudly. */
function embeddingPolicy(timeoutMs: number): IPolicy {
  return wrap(
    retry(
      handleWhen(
        (error) =>
          (error instanceof ProviderError && error.retryable) ||
          error instanceof TaskCancelledError,
      ),
      { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 2000 }) },
    ),
    timeout(timeoutMs, TimeoutStrategy.Aggressive),
  );
}

/** Inputs per request: well inside both APIs' per-request limits. */
const EMBEDDING_BATCH = 96;

async function inBatches(
  texts: readonly string[],
  embedBatch: (batch: readonly string[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let from = 0; from < texts.length; from += EMBEDDING_BATCH) {
    vectors.push(...(await embedBatch(texts.slice(from, from + EMBEDDING_BATCH))));
  }
  return vectors;
}

function toVectors(
  provider: string,
  values: number[][],
  expected: number,
  dimensions: number,
): Float32Array[] {
  if (values.length !== expected) {
    throw new ProviderError(
      provider,
      'malformed',
      `returned ${values.length} embeddings for ${expected} texts`,
    );
  }
  return values.map((value) => {
    if (value.length !== dimensions) {
      throw new ProviderError(
        provider,
        'malformed',
        `returned ${value.length} dimensions, expected ${dimensions}`,
      );
    }
    return Float32Array.from(value);
  });
}

const OpenAiEmbeddings = z.object({
  data: z.array(z.object({ index: z.number(), embedding: z.array(z.number()) })),
});

/** OpenAI's embeddings API (`POST /v1/embeddings`). */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly keys: KeyPool;
  private readonly url: string;
  private readonly policy: IPolicy;

  constructor(options: ProviderEmbedderOptions) {
    this.model = options.model ?? 'text-embedding-3-small';
    this.dimensions = options.dimensions ?? 1536;
    this.keys = new KeyPool(options.apiKeys);
    this.url = `${trimSlash(options.baseUrl ?? 'https://api.openai.com')}/v1/embeddings`;
    this.policy = embeddingPolicy(options.timeoutMs ?? 30000);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return inBatches(texts, (batch) => this.embedBatch(batch));
  }

  private async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    const body = await this.policy.execute(({ signal }) =>
      withPooledKey(this.keys, (key) =>
        postJson('openai', {
          url: this.url,
          headers: { authorization: `Bearer ${key}` },
          body: { model: this.model, input: texts, dimensions: this.dimensions },
          signal,
        }),
      ),
    );
    const parsed = OpenAiEmbeddings.safeParse(body);
    if (!parsed.success)
      throw new ProviderError('openai', 'malformed', 'embeddings response without data');
    const ordered = [...parsed.data.data]
      .sort((a, b) => a.index - b.index)
      .map((item) => item.embedding);
    return toVectors('openai', ordered, texts.length, this.dimensions);
  }
}

const GoogleEmbeddings = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

/** Google's Gemini embeddings (`POST /v1beta/models/{model}:batchEmbedContents`). */
export class GoogleEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly keys: KeyPool;
  private readonly url: string;
  private readonly policy: IPolicy;

  constructor(options: ProviderEmbedderOptions) {
    this.model = options.model ?? 'text-embedding-004';
    this.dimensions = options.dimensions ?? 768;
    this.keys = new KeyPool(options.apiKeys);
    this.url = `${trimSlash(options.baseUrl ?? 'https://generativelanguage.googleapis.com')}/v1beta/models/${encodeURIComponent(this.model)}:batchEmbedContents`;
    this.policy = embeddingPolicy(options.timeoutMs ?? 30000);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return inBatches(texts, (batch) => this.embedBatch(batch));
  }

  private async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    const body = await this.policy.execute(({ signal }) =>
      withPooledKey(this.keys, (key) =>
        postJson('google', {
          url: this.url,
          headers: { 'x-goog-api-key': key },
          body: {
            requests: texts.map((text) => ({
              model: `models/${this.model}`,
              content: { parts: [{ text }] },
              outputDimensionality: this.dimensions,
            })),
          },
          signal,
        }),
      ),
    );
    const parsed = GoogleEmbeddings.safeParse(body);
    if (!parsed.success)
      throw new ProviderError('google', 'malformed', 'embeddings response without embeddings');
    return toVectors(
      'google',
      parsed.data.embeddings.map((item) => item.values),
      texts.length,
      this.dimensions,
    );
  }
}
