import * as z from 'zod';
import type { Completion } from './chat-model-provider';
import { postJson } from './http-json';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';

const Message = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).partial().optional(),
});

/** Anthropic's Messages API (`POST /v1/messages`). */
export class AnthropicProvider extends RemoteChatProvider {
  readonly name = 'anthropic' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, { model: 'claude-3-5-haiku-latest', baseUrl: 'https://api.anthropic.com' });
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body = await withPooledKey(this.keys, (key) =>
      postJson(this.name, {
        url: `${this.baseUrl}/v1/messages`,
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
        body: {
          model: this.model,
          max_tokens: this.maxOutputTokens,
          system: prompt.system,
          messages: [{ role: 'user', content: prompt.user }],
        },
        signal,
      }),
    );
    const parsed = Message.safeParse(body);
    const text = parsed.success
      ? parsed.data.content
          .filter((block) => block.type === 'text')
          .map((block) => block.text ?? '')
          .join('')
      : '';
    if (!parsed.success || text.length === 0)
      throw new ProviderError(this.name, 'malformed', 'message without text content');
    return {
      text,
      usage: {
        inputTokens: parsed.data.usage?.input_tokens,
        outputTokens: parsed.data.usage?.output_tokens,
      },
    };
  }
}
