import type { Request, Response } from 'express';
import { codePointBoundary } from '@docuthinker/contracts';
import { NOT_FOR_CACHES } from '@docuthinker/runtime';
import type { ChatTurn } from '../../services/chat-service';

/** Roughly a few words per event: the client renders the reply as it arrives. */
const CHUNK_CHARS = 48;

/**
 * Whether the client prefers the reply as server-sent events to JSON, by the
 * qualities of its Accept header (`text/event-stream;q=0` refuses them); JSON
 * when it states no preference or accepts neither.
 */
export function wantsEventStream(req: Request): boolean {
  return req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';
}

/**
 * Streams a finished reply as server-sent events: `session` first, then
 * `delta` chunks of the text, then `done` with the citations and the
 * answer's provenance (`provider`, `model`, `degraded`, as the gateway said).
 */
export function sendReplyAsEvents(res: Response, turn: ChatTurn): void {
  const { reply, sessionId, ...done } = turn;
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
  // The citations, and which provider answered and whether it was a fallback.
  send('done', done);
  res.end();
}
