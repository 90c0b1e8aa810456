import type Anthropic from '@anthropic-ai/sdk';
import * as z from 'zod';
import { anthropicFailure, createAnthropicClient } from './anthropic-client';
import { answeredModel } from './answered-model';
import type { Completion, CompletionEnd } from './chat-model-provider';
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

/**
 * One event of a streamed message, by the fields read: `message_start` names
 * the model and the input tokens, `content_block_delta` carries text (or a
 * thinking model's reasoning, left out), `message_delta` the stop reason and
 * the output tokens, and `message_stop` ends the message.
 */
const MessageStreamEvent = z.object({
  type: z.string(),
  message: Message.pick({ model: true, usage: true }).optional(),
  delta: z
    .object({
      type: z.string().optional(),
      text: z.string().optional(),
      stop_reason: z.string().nullish(),
    })
    .optional(),
  usage: Message.shape.usage,
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

  private request(prompt: Prompt) {
    return {
      model: this.model,
      max_tokens: this.maxOutputTokens,
      system: prompt.system,
      messages: [{ role: 'user' as const, content: prompt.user }],
    };
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(
      this.keys,
      (client) =>
        client.messages.create(this.request(prompt), { signal }).catch((error: unknown) => {
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

  protected async *streamCompletion(
    prompt: Prompt,
    signal: AbortSignal,
  ): AsyncGenerator<string, CompletionEnd, undefined> {
    const stream = await withPooledKey(
      this.keys,
      (client) =>
        client.messages
          .create({ ...this.request(prompt), stream: true }, { signal })
          .catch((error: unknown) => {
            throw anthropicFailure(error, signal);
          }),
      signal,
    );
    let model: string | undefined;
    let inputTokens: number | null | undefined;
    let outputTokens: number | null | undefined;
    let stopReason: string | null | undefined;
    let stopped = false;
    let wroteText = false;
    try {
      for await (const raw of stream) {
        const event = MessageStreamEvent.safeParse(raw);
        if (!event.success)
          throw new ProviderError(this.name, 'malformed', 'a stream event that is not an event');
        const { type, message, delta, usage } = event.data;
        if (type === 'message_start') {
          model = message?.model;
          inputTokens = message?.usage?.input_tokens;
        } else if (type === 'content_block_delta' && delta?.type === 'text_delta' && delta.text) {
          wroteText = true;
          yield delta.text;
        } else if (type === 'message_delta') {
          stopReason = delta?.stop_reason ?? stopReason;
          outputTokens = usage?.output_tokens ?? outputTokens;
          if (stopReason === 'refusal')
            throw new ProviderError(this.name, 'unusable', 'the model refused to answer');
        } else if (type === 'message_stop') {
          stopped = true;
        }
      }
    } catch (error) {
      throw anthropicFailure(error, signal);
    }
    if (!wroteText && stopReason === 'max_tokens')
      throw new ProviderError(
        this.name,
        'unusable',
        'the output limit was reached before any text (a thinking model may spend it all)',
      );
    // Without message_stop the stream was cut, not the message finished.
    if (!stopped)
      throw new ProviderError(this.name, 'network', "the answer's stream ended before the answer");
    return {
      truncated: stopReason === 'max_tokens',
      model,
      usage: tokenUsage(inputTokens, outputTokens),
    };
  }
}
