import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CHAT_STREAM_EVENT_DATA,
  chatRequest,
  chatResponse,
  GATEWAY_API,
  type ChatRequest,
  type ChatResponse,
} from '@docuthinker/contracts';
import type { ChatResult } from '@docuthinker/ai-engine';
import type { EngineConnection } from '../../engine/engine-connection';
import { problemFromEngineError } from '../../engine-errors';
import { problem } from '../../errors';
import { clientAbortSignal } from '../../http/client-abort-signal';
import { replyPieces } from './reply-pieces';
import { sendEvents, type ServerSentEvent } from './server-sent-events';

/** Said only for a chat about one document. */
function documentIndexedOf({ documentIndexed }: ChatResult): { documentIndexed?: boolean } {
  return documentIndexed === undefined ? {} : { documentIndexed };
}

/**
 * The reply's events as it is written: `delta` for each piece as the
 * provider writes it, then `citations` and `done`. A provider that fails
 * mid-reply ends the stream with an `error` event (a problem document): the
 * status has gone out, and the pieces sent cannot be taken back.
 */
async function* chatEvents(
  reply: AsyncGenerator<string, ChatResult, undefined>,
  request: FastifyRequest,
  clientLeft: AbortSignal,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  let result: ChatResult;
  try {
    for (;;) {
      const step = await reply.next();
      if (step.done) {
        result = step.value;
        break;
      }
      for (const text of replyPieces(step.value)) yield { event: 'delta', data: { text } };
    }
  } catch (error) {
    // Nobody is left to read an event.
    if (clientLeft.aborted) return;
    const known = problemFromEngineError(error);
    if (known) request.log.warn({ err: error }, `the reply stream ended: ${known.code}`);
    else request.log.error({ err: error }, 'the reply stream ended: unhandled error');
    const failure = known ?? problem('DT_ERR_INTERNAL');
    yield { event: 'error', data: failure.toDocument(request.url, request.id) };
    return;
  }
  yield { event: 'citations', data: { citations: result.citations } };
  yield {
    event: 'done',
    data: {
      reply: result.reply,
      provider: result.provider,
      model: result.model,
      degraded: result.degraded,
      ...documentIndexedOf(result),
    },
  };
}

/**
 * `POST /ai/v1/chat`: a reply grounded in the owner's documents, as JSON or,
 * with `stream: true`, as server-sent events while the provider writes the
 * reply. The stream starts with the reply's first piece: a failure before it
 * (no provider answered, a bad request) still answers with its problem status.
 */
export function registerChatRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  const retrieval = () => connection.require().engine.retrieval;
  scope.post<{ Body: ChatRequest }>(
    GATEWAY_API.chat,
    {
      config: { ownerIn: 'body', aiCall: true },
      schema: {
        summary: "Chat over the owner's documents (server-sent events with stream: true)",
        description:
          'With `stream: true` the answer is `text/event-stream`, sent as the provider writes the reply: `delta` events with its pieces, then `citations`, then `done`. ' +
          'A failure before the first piece answers with its problem status; a provider that fails mid-reply ends the stream with an `error` event holding a problem document.',
        tags: ['retrieval'],
        // As ask: 409 when the vector index is disabled, 502 when every provider refused.
        problems: [409, 502],
        eventStream: CHAT_STREAM_EVENT_DATA,
        body: chatRequest,
        response: { 200: chatResponse },
      },
    },
    async (request, reply): Promise<ChatResponse | typeof reply> => {
      const { ownerId, documentId, messages, stream } = request.body;
      // A client that leaves cancels the provider call instead of paying for it.
      const clientLeft = clientAbortSignal(reply);
      if (stream) {
        const pieces = await retrieval().streamChat({ ownerId, documentId, messages }, clientLeft);
        return sendEvents(reply, chatEvents(pieces, request, clientLeft));
      }
      const result = await retrieval().chat({ ownerId, documentId, messages }, clientLeft);
      return {
        reply: result.reply,
        citations: [...result.citations],
        provider: result.provider,
        model: result.model,
        degraded: result.degraded,
        ...documentIndexedOf(result),
      };
    },
  );
}
