import type OpenAI from 'openai';
import * as z from 'zod';
import { answeredModel } from './answered-model';
import type { Completion } from './chat-model-provider';
import { withPooledKey } from './key-pool';
import { createOpenAiClient, openAiFailure } from './openai-client';
import { ProviderError } from './provider-error';
import { RemoteChatProvider } from './remote-chat-provider';
import type { RemoteProviderOptions } from './remote-provider-options';
import type { Prompt } from './task-prompts';
import { tokenCount, tokenUsage } from './token-count';

/**
 * A message's content as a list of parts, as some OpenAI-compatible services
 * send it (OpenAI takes it so in requests): its text is that of its `text`
 * parts, others (images, audio) are left out. Without a text part there is
 * no text: undefined, so the answer is malformed.
 */
const ContentParts = z
  .array(z.object({ type: z.string(), text: z.unknown().optional() }))
  .transform((parts) => {
    const texts = parts.flatMap((part) =>
      part.type === 'text' && typeof part.text === 'string' ? [part.text] : [],
    );
    return texts.length === 0 ? undefined : texts.join('');
  });

/**
 * The SDK types the answer but does not check it: a proxy or a compatible
 * service can answer 200 with anything, so the fields read are checked here.
 */
const ChatCompletion = z.object({
  model: answeredModel,
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.union([z.string(), ContentParts]).nullable(),
          refusal: z.string().nullish(),
          tool_calls: z.array(z.unknown()).nullish(),
          function_call: z.unknown().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  // OpenAI-compatible services send null for counts they do not keep.
  usage: z.object({ prompt_tokens: tokenCount, completion_tokens: tokenCount }).partial().nullish(),
});

/** OpenAI's Chat Completions API through the `openai` SDK. */
export class OpenAiProvider extends RemoteChatProvider<OpenAI> {
  readonly name = 'openai' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, { provider: 'openai', model: 'gpt-4o-mini', createClient: createOpenAiClient });
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(
      this.keys,
      (client) =>
        client.chat.completions
          .create(
            {
              model: this.model,
              messages: [
                { role: 'system', content: prompt.system },
                { role: 'user', content: prompt.user },
              ],
              temperature: 0.2,
              max_tokens: this.maxOutputTokens,
            },
            { signal },
          )
          .catch((error: unknown) => {
            throw openAiFailure(error, signal);
          }),
      signal,
    );
    const parsed = ChatCompletion.safeParse(body);
    const choice = parsed.data?.choices[0];
    // Not quoted: a refusal can repeat what it refuses, from the document.
    if (choice?.message.refusal) {
      throw new ProviderError(this.name, 'unusable', 'the model refused to answer');
    }
    if (choice?.finish_reason === 'content_filter') {
      throw new ProviderError(this.name, 'unusable', 'the answer was withheld by a content filter');
    }
    if (choice?.finish_reason === 'length' && !choice.message.content)
      throw new ProviderError(
        this.name,
        'unusable',
        'the output limit was reached before any text (a thinking model may spend it all)',
      );
    // A model may call a tool (none is offered; a compatible service's
    // default may) instead of answering: this request's answer, in the API's
    // own format, so not the provider's failure.
    const { tool_calls: toolCalls, function_call: functionCall } = choice?.message ?? {};
    if (!choice?.message.content && ((toolCalls?.length ?? 0) > 0 || functionCall)) {
      throw new ProviderError(
        this.name,
        'unusable',
        'the model called a tool instead of answering',
      );
    }
    if (typeof choice?.message.content !== 'string') {
      throw new ProviderError(this.name, 'malformed', 'chat completion without message content');
    }
    // An empty answer is this request's, like a blank one: not the provider's failure.
    if (choice.message.content === '') {
      throw new ProviderError(this.name, 'unusable', 'the model answered with empty text');
    }
    return {
      text: choice.message.content,
      truncated: choice.finish_reason === 'length',
      model: parsed.data?.model,
      usage: tokenUsage(parsed.data?.usage?.prompt_tokens, parsed.data?.usage?.completion_tokens),
    };
  }
}
