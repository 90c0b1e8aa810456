import * as z from 'zod';
import { problemDocument } from './problem-document';
import { citation, documentIndexed } from './retrieval';

export const chatStreamDelta = z.object({ text: z.string() });
export const chatStreamCitations = z.object({ citations: z.array(citation) });
export const chatStreamDone = z.object({
  reply: z.string(),
  provider: z.string(),
  model: z.string(),
  degraded: z.boolean(),
  documentIndexed: documentIndexed.optional(),
});

/**
 * Server-sent events of `POST /ai/v1/chat` with `stream: true`, sent as the
 * provider writes the reply, in order: one or more `delta` (the reply's
 * text, in pieces that concatenate to it), `citations`, then `done`; by
 * event, what its `data` holds. A request that fails before the stream
 * starts answers with a problem document and its status, as without
 * `stream`. A provider that fails after the reply began ends the stream
 * with `error` instead of `citations` and `done`: a problem document
 * (`DT_ERR_ANSWER_INTERRUPTED`), and the deltas sent are an incomplete reply.
 */
export const CHAT_STREAM_EVENT_DATA = {
  delta: chatStreamDelta,
  citations: chatStreamCitations,
  done: chatStreamDone,
  error: problemDocument,
} as const satisfies Record<string, z.ZodType>;
export type ChatStreamEvent = keyof typeof CHAT_STREAM_EVENT_DATA;
