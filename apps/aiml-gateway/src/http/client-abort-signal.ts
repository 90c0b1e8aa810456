import type { FastifyReply } from 'fastify';

/**
 * Aborts when the client goes away before its answer is written, so a
 * provider call nobody waits for any more is cancelled rather than paid for.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
