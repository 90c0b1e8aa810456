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
import type { GoogleGenAI } from '@google/genai';
import type OpenAI from 'openai';
import * as z from 'zod';
import { withTimeoutReason } from '../providers/attempt-timeout';
import { ClientAbortedError, untilClientLeaves } from '../providers/client-abort';
import { createGoogleClient, googleFailure } from '../providers/google-client';
import { KeyPool, withPooledKey, type KeyQuarantineEvent } from '../providers/key-pool';
import { createOpenAiClient, openAiFailure } from '../providers/openai-client';
import { ProviderError } from '../providers/provider-error';
import type { SdkClientSettings } from '../providers/remote-provider-options';
import type { Embedder } from './embedder';

export interface ProviderEmbedderOptions extends SdkClientSettings {
  /** One key or a comma-separated pool. */
  readonly apiKeys: string;
  readonly model?: string;
  /** Requested output dimension; recorded with the index like the model. */
  readonly dimensions?: number;
  readonly timeoutMs?: number;
  /** Told once each time a key is quarantined after a 401/403, e.g. to log it. */
  readonly onKeyQuarantined?: (event: KeyQuarantineEvent) => void;
}

/**
 * Embedding is part of indexing: retry what is safe to retry, then fail
 * loudly. The SDKs' own retries are off (see the client factories), so this
 * policy is the only one that retries.
 */
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

/**
 * Runs one embedding request under the policy. A timeout is the provider's
 * failure to answer in time: it leaves as a ProviderError like every other
 * provider failure, so callers (and the gateway's error mapping) need to know
 * only that one type, and it names the provider.
 */
async function executeEmbedding(
  policy: IPolicy,
  provider: string,
  timeoutMs: number,
  request: (signal: AbortSignal) => Promise<unknown>,
  client?: AbortSignal,
): Promise<unknown> {
  try {
    // The caller's signal aborts the attempt under way (it is the timeout's
    // parent) and stops further attempts; leaving is not the provider's fault.
    const attempts = policy.execute(({ signal }) => {
      if (client?.aborted) throw new ClientAbortedError(client);
      return request(withTimeoutReason(signal, { client, judgesKey: true }));
    }, client);
    return await untilClientLeaves(attempts, client);
  } catch (error) {
    if (client?.aborted) {
      throw error instanceof ClientAbortedError ? error : new ClientAbortedError(client);
    }
    if (error instanceof TaskCancelledError) {
      throw new ProviderError(provider, 'server', `no answer within ${timeoutMs} ms`, undefined, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Inputs per request: well inside both APIs' per-request limits. */
const EMBEDDING_BATCH = 96;

async function inBatches(
  texts: readonly string[],
  embedBatch: (batch: readonly string[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  // One batch at a time: a caller that leaves stops the batches after it too.
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

/**
 * The SDK types the answer but does not check it. Without an
 * `encoding_format` the SDK asks for base64 (a quarter of the JSON) and
 * decodes each embedding into a Float32Array itself.
 */
const OpenAiEmbeddings = z.object({
  data: z.array(
    z.object({
      index: z.number(),
      embedding: z.union([z.instanceof(Float32Array), z.array(z.number())]),
    }),
  ),
});

/**
 * An embedding provider reached through its SDK with a pool of keys: the
 * batching, the policy, key rotation and the caller's cancellation are the
 * same for every provider; a subclass sends one batch and reads the answer.
 */
abstract class PooledProviderEmbedder<Client> implements Embedder {
  private readonly policy: IPolicy;
  private readonly timeoutMs: number;

  protected constructor(
    private readonly provider: string,
    readonly model: string,
    readonly dimensions: number,
    private readonly keys: KeyPool<Client>,
    timeoutMs: number | undefined,
  ) {
    this.timeoutMs = timeoutMs ?? 30000;
    this.policy = embeddingPolicy(this.timeoutMs);
  }

  embed(texts: readonly string[], caller?: AbortSignal): Promise<Float32Array[]> {
    return inBatches(texts, async (batch) => {
      const body = await executeEmbedding(
        this.policy,
        this.provider,
        this.timeoutMs,
        (attempt) => withPooledKey(this.keys, (sdk) => this.send(sdk, batch, attempt), attempt),
        caller,
      );
      return toVectors(this.provider, this.vectorsIn(body), batch.length, this.dimensions);
    });
  }

  /** One batch through the SDK; a failure leaves as a ProviderError. */
  protected abstract send(
    sdk: Client,
    texts: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown>;

  /** The vectors of an answer, in the order of the texts. */
  protected abstract vectorsIn(body: unknown): number[][];
}

/** OpenAI's embeddings API through the `openai` SDK. */
export class OpenAiEmbedder extends PooledProviderEmbedder<OpenAI> {
  constructor(options: ProviderEmbedderOptions) {
    super(
      'openai',
      options.model ?? 'text-embedding-3-small',
      options.dimensions ?? 1536,
      new KeyPool('openai', options.apiKeys, (key) => createOpenAiClient(key, options), {
        onQuarantine: options.onKeyQuarantined,
      }),
      options.timeoutMs,
    );
  }

  protected send(sdk: OpenAI, texts: readonly string[], signal: AbortSignal): Promise<unknown> {
    return sdk.embeddings
      .create({ model: this.model, input: [...texts], dimensions: this.dimensions }, { signal })
      .catch((error: unknown) => {
        throw openAiFailure(error, signal);
      });
  }

  protected vectorsIn(body: unknown): number[][] {
    const parsed = OpenAiEmbeddings.safeParse(body);
    if (!parsed.success)
      throw new ProviderError('openai', 'malformed', 'embeddings response without data');
    return [...parsed.data.data]
      .sort((a, b) => a.index - b.index)
      .map((item) => Array.from(item.embedding));
  }
}

const GoogleEmbeddings = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

/** Google's Gemini embeddings (`batchEmbedContents`) through the `@google/genai` SDK. */
export class GoogleEmbedder extends PooledProviderEmbedder<GoogleGenAI> {
  constructor(options: ProviderEmbedderOptions) {
    super(
      'google',
      options.model ?? 'text-embedding-004',
      options.dimensions ?? 768,
      new KeyPool('google', options.apiKeys, (key) => createGoogleClient(key, options), {
        onQuarantine: options.onKeyQuarantined,
      }),
      options.timeoutMs,
    );
  }

  protected send(
    sdk: GoogleGenAI,
    texts: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown> {
    return sdk.models
      .embedContent({
        model: this.model,
        contents: [...texts],
        config: { outputDimensionality: this.dimensions, abortSignal: signal },
      })
      .catch((error: unknown) => {
        throw googleFailure(error, signal);
      });
  }

  protected vectorsIn(body: unknown): number[][] {
    const parsed = GoogleEmbeddings.safeParse(body);
    if (!parsed.success)
      throw new ProviderError('google', 'malformed', 'embeddings response without embeddings');
    return parsed.data.embeddings.map((item) => item.values);
  }
}
