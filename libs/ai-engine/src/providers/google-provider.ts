import type { GoogleGenAI } from '@google/genai';
import * as z from 'zod';
import { answeredModel } from './answered-model';
import type { Completion, CompletionEnd } from './chat-model-provider';
import { createGoogleClient, googleFailure } from './google-client';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import { googleSdk } from './sdk-modules';
import type { Prompt } from './task-prompts';
import { tokenCount, tokenUsage } from './token-count';

/**
 * The SDK types the answer but does not check it: a proxy can answer 200 with
 * anything, so the fields read are checked here.
 */
const GenerateContent = z.object({
  // Absent when the prompt itself was blocked (promptFeedback says why).
  candidates: z
    .array(
      z.object({
        // Absent when the candidate was stopped for safety before any text.
        content: z
          .object({
            parts: z
              .array(z.object({ text: z.string().optional(), thought: z.boolean().nullish() }))
              .optional(),
          })
          .optional(),
        finishReason: z.string().nullish(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  modelVersion: answeredModel,
  usageMetadata: z
    .object({
      promptTokenCount: tokenCount,
      candidatesTokenCount: tokenCount,
    })
    .partial()
    .nullish(),
});

/** Finish reasons of a candidate whose text is whole; MAX_TOKENS is cut short; any other withheld it. */
const COMPLETE_FINISH_REASONS = new Set(['STOP', 'FINISH_REASON_UNSPECIFIED']);

/**
 * `reason` when the SDK's enum names it, for the failure's detail (logged):
 * on the wire it is free text, which a proxy can fill with anything.
 */
function listedReason(reason: string, listed: Readonly<Record<string, string>>): string {
  return Object.values(listed).includes(reason) ? reason : 'a reason the API does not list';
}

/** What one answer, or one streamed piece of it, holds. */
interface ContentRead {
  readonly text: string;
  /** Absent from the pieces of a stream before its last. */
  readonly finishReason?: string;
  readonly hasCandidate: boolean;
  readonly body: z.infer<typeof GenerateContent>;
}

/**
 * Reads an answer or a piece of a streamed one; throws when it is not in the
 * API's format, or says that the prompt was blocked or the answer withheld.
 */
function readContent(provider: string, body: unknown): ContentRead {
  const parsed = GenerateContent.safeParse(body);
  const blockReason = parsed.data?.promptFeedback?.blockReason;
  if (blockReason)
    throw new ProviderError(
      provider,
      'unusable',
      `the prompt was blocked (${listedReason(blockReason, googleSdk().BlockedReason)})`,
    );
  const candidate = parsed.data?.candidates?.[0];
  const finishReason = candidate?.finishReason ?? undefined;
  if (finishReason && finishReason !== 'MAX_TOKENS' && !COMPLETE_FINISH_REASONS.has(finishReason)) {
    throw new ProviderError(
      provider,
      'unusable',
      `the answer was withheld (${listedReason(finishReason, googleSdk().FinishReason)})`,
    );
  }
  if (!parsed.success)
    throw new ProviderError(provider, 'malformed', 'an answer without a candidate');
  // Thought parts are the model's reasoning, not its answer (the SDK's own
  // `.text` leaves them out too).
  const text =
    candidate?.content?.parts
      ?.filter((part) => part.thought !== true)
      .map((part) => part.text ?? '')
      .join('') ?? '';
  return { text, finishReason, hasCandidate: candidate !== undefined, body: parsed.data };
}

const NO_TEXT_BEFORE_LIMIT =
  'the output limit was reached before any text (a thinking model may spend it all)';

/** Google's Gemini API (`generateContent`) through the `@google/genai` SDK. */
export class GoogleProvider extends RemoteChatProvider<GoogleGenAI> {
  readonly name = 'google' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, {
      provider: 'google',
      model: 'gemini-2.0-flash',
      createClient: createGoogleClient,
    });
  }

  private request(prompt: Prompt, signal: AbortSignal) {
    return {
      model: this.model,
      contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
      config: {
        systemInstruction: prompt.system,
        temperature: 0.2,
        maxOutputTokens: this.maxOutputTokens,
        abortSignal: signal,
      },
    };
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(
      this.keys,
      (client) =>
        client.models.generateContent(this.request(prompt, signal)).catch((error: unknown) => {
          throw googleFailure(error, signal);
        }),
      signal,
    );
    const { text, finishReason = 'STOP', hasCandidate, body: read } = readContent(this.name, body);
    if (finishReason === 'MAX_TOKENS' && text.length === 0)
      throw new ProviderError(this.name, 'unusable', NO_TEXT_BEFORE_LIMIT);
    if (!hasCandidate)
      throw new ProviderError(this.name, 'malformed', 'an answer without a candidate');
    // An empty answer is this request's, like a blank one: not the provider's failure.
    if (text.length === 0)
      throw new ProviderError(this.name, 'unusable', 'the model answered with empty text');
    return {
      text,
      truncated: finishReason === 'MAX_TOKENS',
      model: read.modelVersion,
      usage: tokenUsage(
        read.usageMetadata?.promptTokenCount,
        read.usageMetadata?.candidatesTokenCount,
      ),
    };
  }

  protected async *streamCompletion(
    prompt: Prompt,
    signal: AbortSignal,
  ): AsyncGenerator<string, CompletionEnd, undefined> {
    const stream = await withPooledKey(
      this.keys,
      (client) =>
        client.models
          .generateContentStream(this.request(prompt, signal))
          .catch((error: unknown) => {
            throw googleFailure(error, signal);
          }),
      signal,
    );
    let finishReason: string | undefined;
    let last: ContentRead['body'] | undefined;
    let wroteText = false;
    try {
      for await (const piece of stream) {
        const read = readContent(this.name, piece);
        last = read.body;
        finishReason = read.finishReason ?? finishReason;
        if (read.text) {
          wroteText = true;
          yield read.text;
        }
      }
    } catch (error) {
      throw googleFailure(error, signal);
    }
    if (finishReason === 'MAX_TOKENS' && !wroteText)
      throw new ProviderError(this.name, 'unusable', NO_TEXT_BEFORE_LIMIT);
    // The last piece names the finish reason: without it the stream was cut.
    if (finishReason === undefined)
      throw new ProviderError(this.name, 'network', "the answer's stream ended before the answer");
    return {
      truncated: finishReason === 'MAX_TOKENS',
      model: last?.modelVersion,
      usage: tokenUsage(
        last?.usageMetadata?.promptTokenCount,
        last?.usageMetadata?.candidatesTokenCount,
      ),
    };
  }
}
