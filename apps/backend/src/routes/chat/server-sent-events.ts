import type { Request, Response } from 'express';
import { NOT_FOR_CACHES } from '@docuthinker/runtime';
import { CallerLeftError } from '../../gateway/gateway-errors';
import { problemFor } from '../../middleware/problem-responses';
import type { ChatReplyStream } from '../../services/chat-reply-events';

/**
 * Whether the client prefers the reply as server-sent events to JSON, by the
 * qualities of its Accept header (`text/event-stream;q=0` refuses them); JSON
 * when it states no preference or accepts neither.
 */
export function wantsEventStream(req: Request): boolean {
  return req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';
}

/**
 * Sends a chat reply as server-sent events while it is written: `session`
 * first, then `delta` pieces of the text as they come, then `done` with the
 * citations and the answer's provenance (`provider`, `model`, `degraded`,
 * as the gateway said) once the turn is stored. A reply that fails after
 * the events began, or whose turn could not be stored, ends with `error`
 * instead of `done`: its problem document, with `retryAfterSeconds` where
 * the problem would have had a Retry-After header (the deltas sent are an
 * incomplete reply, and no turn is kept).
 */
export async function sendReplyAsEvents(
  req: Request,
  res: Response,
  stream: ChatReplyStream,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', `${NOT_FOR_CACHES}, no-transform`);
  res.setHeader('X-Accel-Buffering', 'no');
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('session', { sessionId: stream.sessionId });
  try {
    for await (const { event, data } of stream.events) {
      // Gone: leaving the loop ends the reply's generator, which closes the
      // gateway's stream (and with it the provider's) and stores nothing.
      if (res.destroyed) break;
      send(event, data);
    }
  } catch (error) {
    if (!(error instanceof CallerLeftError || res.destroyed)) {
      const problem = problemFor(error, req);
      // The status line went out with the first event: a Retry-After the
      // problem carries (storage down while the turn was stored) goes in it.
      const retryAfter = problem.extras.headers?.['Retry-After'];
      send('error', {
        ...problem.toDocument(req.path, String(req.id ?? '')),
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: Number(retryAfter) }),
      });
      req.log.warn({ code: problem.code }, `the reply stream ended: ${problem.code}`);
    }
  }
  if (res.destroyed) {
    req.log.info('the client left before the reply was done');
    return;
  }
  res.end();
}
