import type Anthropic from '@anthropic-ai/sdk';
import * as z from 'zod';
import { anthropicFailure, createAnthropicClient } from './anthropic-client';
import { answeredModel } from './answered-model';
import type { Completion } from './chat-model-provider';
import { withPooledKey } from './key-pool';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';
import { tokenCount, tokenUsage } from './token-count';

/**
 * The SDK types the answer but does not check it: a proxy can answer 200 with
 * anything, so the fields read are checked here.
 */
const Message = z.object({
  model: answeredModel,
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: tokenCount, output_tokens: tokenCount }).partial().nullish(),
});

/** Anthropic's Messages API through the `@anthropic-ai/sdk` SDK. */
export class AnthropicProvider extends RemoteChatProvider<Anthropic> {
  readonly name = 'anthropic' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, {
      provider: 'anthropic',
      model: 'claude-3-5-haiku-latest',
      createClient: createAnthropicClient,
    });
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(
      this.keys,
      (client) =>
        client.messages
          .create(
            {
              model: this.model,
              max_tokens: this.maxOutputTokens,
              system: prompt.system,
              messages: [{ role: 'user', content: prompt.user }],
            },
            { signal },
          )
          .catch((error: unknown) => {
            throw anthropicFailure(error, signal);
          }),
      signal,
    );
    const parsed = Message.safeParse(body);
    if (parsed.data?.stop_reason === 'refusal')
      throw new ProviderError(this.name, 'unusable', 'the model refused to answer');
    const text = parsed.success
      ? parsed.data.content
          .filter((block) => block.type === 'text')
          .map((block) => block.text ?? '')
          .join('')
      : '';
    if (parsed.data?.stop_reason === 'max_tokens' && text.length === 0)
      throw new ProviderError(
        this.name,
        'unusable',
        'the output limit was reached before any text (a thinking model may spend it all)',
      );
    if (!parsed.success)
      throw new ProviderError(this.name, 'malformed', 'message without text content');
    // An empty answer is this request's, like a blank one: not the provider's failure.
    if (text.length === 0)
      throw new ProviderError(this.name, 'unusable', 'the model answered with empty text');
    return {
      text,
      truncated: parsed.data.stop_reason === 'max_tokens',
      model: parsed.data.model,
      usage: tokenUsage(parsed.data.usage?.input_tokens, parsed.data.usage?.output_tokens),
    };
  }
}
