import { EventSourceParserStream } from 'eventsource-parser/stream';
import type * as z from 'zod';
import { CHAT_STREAM_EVENT_DATA } from '@docuthinker/contracts';
import { AnswerInterruptedError, CallerLeftError } from './gateway-errors';

type EventData<E extends keyof typeof CHAT_STREAM_EVENT_DATA> = z.infer<
  (typeof CHAT_STREAM_EVENT_DATA)[E]
>;

/** An event of the gateway's streamed chat reply that carries the reply on (see GatewayClient.chatStream). */
export type GatewayChatEvent =
  | { readonly event: 'delta'; readonly data: EventData<'delta'> }
  | { readonly event: 'citations'; readonly data: EventData<'citations'> }
  | { readonly event: 'done'; readonly data: EventData<'done'> };

export interface ChatEventReading {
  /** Aborts the response body: a stall, or the stream's reader gave up. */
  readonly abort: AbortController;
  /** Aborted when the user's client leaves; reading then ends with CallerLeftError. */
  readonly callerSignal?: AbortSignal;
  /** The longest wait for the next event (comments do not count): a gateway that stalls longer has failed. */
  readonly idleTimeoutMs: number;
  /** The most event data read; a longer stream is a broken one, read no further. */
  readonly maxChars: number;
}

/** How long the end of the stream may take after its `done` event. */
const END_AFTER_DONE_MS = 200;

/**
 * The gateway's chat events, read as they arrive, each checked against the
 * contract, ending after `done`. Every way the stream can fail after it
 * began ends it with AnswerInterruptedError: the provider failed mid-reply
 * (the gateway's `error` event), the connection broke or stalled, or an
 * event is not the contract's. The body is aborted however reading ends,
 * so no connection is left holding a reply nobody reads, unless it was read
 * to its end after `done`: that connection serves the next call.
 */
export async function* readChatEvents(
  body: ReadableStream<Uint8Array>,
  reading: ChatEventReading,
): AsyncGenerator<GatewayChatEvent, void, undefined> {
  const { abort, callerSignal, idleTimeoutMs, maxChars } = reading;
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onError: 'terminate', maxBufferSize: maxChars }))
    .getReader();
  let charsRead = 0;
  let readToEnd = false;
  try {
    for (;;) {
      const stall = setTimeout(
        () => abort.abort(new Error(`no event within ${idleTimeoutMs} ms`)),
        idleTimeoutMs,
      );
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        if (callerSignal?.aborted) throw new CallerLeftError();
        const reason = abort.signal.aborted ? abort.signal.reason : error;
        throw new AnswerInterruptedError((reason as Error).message);
      } finally {
        clearTimeout(stall);
      }
      if (next.done) throw new AnswerInterruptedError('the stream ended before its done event');
      charsRead += next.value.data.length;
      if (charsRead > maxChars) {
        throw new AnswerInterruptedError(`the stream ran past ${maxChars} characters`);
      }
      const event = checkedEvent(next.value.event, next.value.data);
      yield event;
      if (event.event === 'done') {
        readToEnd = await endsAfterDone(reader);
        return;
      }
    }
  } finally {
    // Read to its end, the body leaves its connection to the next call;
    // aborted, the connection is closed.
    if (!readToEnd) abort.abort();
    reader.releaseLock();
  }
}

/**
 * The gateway ends its stream with the `done` event's write, so the end is
 * read at once; a stream that goes on, or does not end within
 * END_AFTER_DONE_MS, is left to the abort.
 */
async function endsAfterDone(reader: ReadableStreamDefaultReader<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(resolve, END_AFTER_DONE_MS, 'late');
  });
  try {
    const next = await Promise.race([reader.read(), late]);
    return next !== 'late' && next.done;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The event as the contract has it; the gateway's `error` event, and any other, end the reply. */
function checkedEvent(name: string | undefined, data: string): GatewayChatEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(data) as unknown;
  } catch {
    throw new AnswerInterruptedError(`a ${name ?? 'nameless'} event whose data is not JSON`);
  }
  if (name === 'error') {
    const problem = CHAT_STREAM_EVENT_DATA.error.safeParse(payload);
    throw new AnswerInterruptedError(
      problem.success
        ? `the gateway ended the reply with ${problem.data.code}`
        : 'the gateway ended the reply with an error event off the contract',
    );
  }
  if (name === 'delta' || name === 'citations' || name === 'done') {
    const parsed = CHAT_STREAM_EVENT_DATA[name].safeParse(payload);
    if (parsed.success) return { event: name, data: parsed.data } as GatewayChatEvent;
  }
  throw new AnswerInterruptedError(`a ${name ?? 'nameless'} event off the contract`);
}
