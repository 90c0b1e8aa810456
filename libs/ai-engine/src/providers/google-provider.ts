import type { GoogleGenAI } from '@google/genai';
import * as z from 'zod';
import type { Completion } from './chat-model-provider';
import { createGoogleClient, googleFailure } from './google-client';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';

/**
 * The SDK types the answer but does not check it: a proxy can answer 200 with
 * anything, so the fields read are checked here.
 */
const GenerateContent = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(z.object({ text: z.string().optional() })) }),
      }),
    )
    .min(1),
  usageMetadata: z
    .object({ promptTokenCount: z.number(), candidatesTokenCount: z.number() })
    .partial()
    .nullish(),
});

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

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(this.keys, (client) =>
      client.models
        .generateContent({
          model: this.model,
          contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
          config: {
            systemInstruction: prompt.system,
            temperature: 0.2,
            maxOutputTokens: this.maxOutputTokens,
            abortSignal: signal,
          },
        })
        .catch((error: unknown) => {
          throw googleFailure(error, signal);
        }),
    );
    const parsed = GenerateContent.safeParse(body);
    const text = parsed.success
      ? (parsed.data.candidates[0]?.content.parts.map((part) => part.text ?? '').join('') ?? '')
      : '';
    if (!parsed.success || text.length === 0)
      throw new ProviderError(this.name, 'malformed', 'candidate without text');
    return {
      text,
      usage: {
        inputTokens: parsed.data.usageMetadata?.promptTokenCount,
        outputTokens: parsed.data.usageMetadata?.candidatesTokenCount,
      },
    };
  }
}
