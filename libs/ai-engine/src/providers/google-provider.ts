import * as z from 'zod';
import type { Completion } from './chat-model-provider';
import { postJson } from './http-json';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';

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
    .optional(),
});

/** Google's Gemini API (`POST /v1beta/models/{model}:generateContent`). */
export class GoogleProvider extends RemoteChatProvider {
  readonly name = 'google' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, {
      model: 'gemini-2.0-flash',
      baseUrl: 'https://generativelanguage.googleapis.com',
    });
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body = await withPooledKey(this.keys, (key) =>
      postJson(this.name, {
        url: `${this.baseUrl}/v1beta/models/${encodeURIComponent(this.model)}:generateContent`,
        headers: { 'x-goog-api-key': key },
        body: {
          systemInstruction: { parts: [{ text: prompt.system }] },
          contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
          generationConfig: {
            temperature: 0.2,
            maxOutputTokens: this.maxOutputTokens,
          },
        },
        signal,
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
