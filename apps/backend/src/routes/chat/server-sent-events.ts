import type { Response } from 'express';
import { codePointBoundary } from '@docuthinker/contracts';
import { NOT_FOR_CACHES } from '@docuthinker/runtime';

/** Roughly a few words per event: the client renders the reply as it arrives. */
const CHUNK_CHARS = 48;

export function wantsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').includes('text/event-stream');
}

/**
 * Streams a finished reply as server-sent events: `session` first, then
 * `delta` chunks of the text, then `done` with the citations.
 */
export function sendReplyAsEvents(
  res: Response,
  reply: string,
  sessionId: string,
  citations: unknown[],
): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', `${NOT_FOR_CACHES}, no-transform`);
  res.setHeader('X-Accel-Buffering', 'no');
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('session', { sessionId });
  for (let start = 0; start < reply.length;) {
    // Never inside a surrogate pair: half an emoji in each of two events is
    // not text, and strict JSON decoders (Python's) refuse it.
    const end = codePointBoundary(reply, start, Math.min(start + CHUNK_CHARS, reply.length));
    send('delta', { text: reply.slice(start, end) });
    start = end;
  }
  send('done', { citations });
  res.end();
}
