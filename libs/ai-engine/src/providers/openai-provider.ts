import type OpenAI from 'openai';
import * as z from 'zod';
import { answeredModel } from './answered-model';
import type { Completion, CompletionEnd } from './chat-model-provider';
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

/** One event of a streamed chat completion; the last may hold only `usage`. */
const ChatCompletionChunk = z.object({
  model: answeredModel,
  choices: z.array(
    z.object({
      delta: z
        .object({
          content: z.union([z.string(), ContentParts]).nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(z.unknown()).nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: ChatCompletion.shape.usage,
});

/** OpenAI's Chat Completions API through the `openai` SDK. */
export class OpenAiProvider extends RemoteChatProvider<OpenAI> {
  readonly name = 'openai' as const;
  constructor(options: RemoteProviderOptions) {
    super(options, { provider: 'openai', model: 'gpt-4o-mini', createClient: createOpenAiClient });
  }

  private request(prompt: Prompt) {
    return {
      model: this.model,
      messages: [
        { role: 'system' as const, content: prompt.system },
        { role: 'user' as const, content: prompt.user },
      ],
      temperature: 0.2,
      max_tokens: this.maxOutputTokens,
    };
  }

  protected async complete(prompt: Prompt, signal: AbortSignal): Promise<Completion> {
    const body: unknown = await withPooledKey(
      this.keys,
      (client) =>
        client.chat.completions.create(this.request(prompt), { signal }).catch((error: unknown) => {
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

  protected async *streamCompletion(
    prompt: Prompt,
    signal: AbortSignal,
  ): AsyncGenerator<string, CompletionEnd, undefined> {
    const stream = await withPooledKey(
      this.keys,
      (client) =>
        client.chat.completions
          .create(
            { ...this.request(prompt), stream: true, stream_options: { include_usage: true } },
            { signal },
          )
          .catch((error: unknown) => {
            throw openAiFailure(error, signal);
          }),
      signal,
    );
    let model: string | undefined;
    let usage: z.infer<typeof ChatCompletionChunk>['usage'];
    let finishReason: string | undefined;
    let wroteText = false;
    let calledTool = false;
    try {
      for await (const event of stream) {
        const chunk = ChatCompletionChunk.safeParse(event);
        if (!chunk.success)
          throw new ProviderError(this.name, 'malformed', 'a stream event that is not a chunk');
        model ??= chunk.data.model;
        usage = chunk.data.usage ?? usage;
        // The last event, with the usage, has no choices.
        const choice = chunk.data.choices[0];
        if (!choice) continue;
        finishReason = choice.finish_reason ?? finishReason;
        if (choice.delta?.refusal)
          throw new ProviderError(this.name, 'unusable', 'the model refused to answer');
        if ((choice.delta?.tool_calls?.length ?? 0) > 0) calledTool = true;
        const text = choice.delta?.content;
        if (text) {
          wroteText = true;
          yield text;
        }
      }
    } catch (error) {
      throw openAiFailure(error, signal);
    }
    if (finishReason === 'content_filter')
      throw new ProviderError(this.name, 'unusable', 'the answer was withheld by a content filter');
    if (!wroteText && calledTool)
      throw new ProviderError(
        this.name,
        'unusable',
        'the model called a tool instead of answering',
      );
    if (!wroteText && finishReason === 'length')
      throw new ProviderError(
        this.name,
        'unusable',
        'the output limit was reached before any text (a thinking model may spend it all)',
      );
    // Without a finish reason the stream was cut, not the answer finished.
    if (finishReason === undefined)
      throw new ProviderError(this.name, 'network', "the answer's stream ended before the answer");
    return {
      truncated: finishReason === 'length',
      model,
      usage: tokenUsage(usage?.prompt_tokens, usage?.completion_tokens),
    };
  }
}
