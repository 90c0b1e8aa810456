import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { NOT_FOR_CACHES } from '@docuthinker/runtime';

export interface ServerSentEvent {
  readonly event: string;
  readonly data: unknown;
}

/** One event in the text/event-stream format; JSON data never contains a raw newline. */
export function formatEvent({ event, data }: ServerSentEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function* formatted(events: AsyncIterable<ServerSentEvent>): AsyncGenerator<string> {
  for await (const event of events) yield formatEvent(event);
}

/**
 * Sends events as `text/event-stream` through Fastify's reply, so hooks,
 * metrics and request logging see the stream like any other response.
 */
export function sendEvents(
  reply: FastifyReply,
  events: AsyncIterable<ServerSentEvent>,
): FastifyReply {
  return (
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', NOT_FOR_CACHES)
      // Proxies that buffer (nginx) would otherwise hold the events back.
      .header('x-accel-buffering', 'no')
      .send(Readable.from(formatted(events), { objectMode: false }))
  );
}
