import * as z from 'zod';
import type { Completion } from './chat-model-provider';
import { postJson } from './http-json';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';

const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z
    .object({ prompt_tokens: z.number(), completion_tokens: z.number() })
    .partial()
    .optional(),
});

/** OpenAI's Chat Completions API (`POST /v1/chat/completions`). */
export class OpenAiProvider extends RemoteChatProvider {
  readonly name = 'openai' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, { model: 'gpt-4o-mini', baseUrl: 'https://api.openai.com' });
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body = await withPooledKey(this.keys, (key) =>
      postJson(this.name, {
        url: `${this.baseUrl}/v1/chat/completions`,
        headers: { authorization: `Bearer ${key}` },
        body: {
          model: this.model,
          messages: [
            { role: 'system', content: prompt.system },
            { role: 'user', content: prompt.user },
          ],
          temperature: 0.2,
          max_tokens: this.maxOutputTokens,
        },
        signal,
      }),
    );
    const parsed = ChatCompletion.safeParse(body);
    if (!parsed.success || !parsed.data.choices[0]?.message.content) {
      throw new ProviderError(this.name, 'malformed', 'chat completion without message content');
    }
    return {
      text: parsed.data.choices[0].message.content,
      usage: {
        inputTokens: parsed.data.usage?.prompt_tokens,
        outputTokens: parsed.data.usage?.completion_tokens,
      },
    };
  }
}
