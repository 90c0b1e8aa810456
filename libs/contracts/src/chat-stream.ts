import * as z from 'zod';
import { citation, documentIndexed } from './retrieval';

/**
 * Server-sent events of `POST /ai/v1/chat` with `stream: true`, in order:
 * one or more `delta` (the reply's text, in pieces that concatenate to it),
 * `citations`, then `done`. A request that fails before the stream starts
 * answers with a problem document and its status, as without `stream`.
 */
export const CHAT_STREAM_EVENTS = ['delta', 'citations', 'done'] as const;
export type ChatStreamEvent = (typeof CHAT_STREAM_EVENTS)[number];

export const chatStreamDelta = z.object({ text: z.string() });
export const chatStreamCitations = z.object({ citations: z.array(citation) });
export const chatStreamDone = z.object({
  reply: z.string(),
  provider: z.string(),
  model: z.string(),
  degraded: z.boolean(),
  documentIndexed: documentIndexed.optional(),
});

/** What each event's `data` holds, by event, in the order the events come. */
export const CHAT_STREAM_EVENT_DATA = {
  delta: chatStreamDelta,
  citations: chatStreamCitations,
  done: chatStreamDone,
} as const satisfies Record<ChatStreamEvent, z.ZodType>;
