import type { Response } from 'express';

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
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('session', { sessionId });
  for (let start = 0; start < reply.length; ) {
    const end = chunkEnd(reply, start);
    send('delta', { text: reply.slice(start, end) });
    start = end;
  }
  send('done', { citations });
  res.end();
}

/**
 * Where the chunk from `start` ends: CHUNK_CHARS on, or one further when that
 * would split a surrogate pair (an emoji, a rare CJK character). Half a pair
 * is not text: JSON carries it as a lone `\ud83d`, which strict decoders
 * (Python's among them) refuse, so a client could not rebuild the reply.
 */
function chunkEnd(text: string, start: number): number {
  const end = Math.min(start + CHUNK_CHARS, text.length);
  const last = text.charCodeAt(end - 1);
  const isHighSurrogate = last >= 0xd800 && last <= 0xdbff;
  return isHighSurrogate && end < text.length ? end + 1 : end;
}
