import type { FastifyInstance } from 'fastify';
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
import { clientAbortSignal } from '../../http/client-abort-signal';
import { replyPieces } from './reply-pieces';
import { sendEvents, type ServerSentEvent } from './server-sent-events';

/** Said only for a chat about one document. */
function documentIndexedOf({ documentIndexed }: ChatResult): { documentIndexed?: boolean } {
  return documentIndexed === undefined ? {} : { documentIndexed };
}

function chatEvents(result: ChatResult): ServerSentEvent[] {
  const pieces = replyPieces(result.reply);
  return [
    ...(pieces.length > 0 ? pieces : ['']).map((text) => ({ event: 'delta', data: { text } })),
    { event: 'citations', data: { citations: result.citations } },
    {
      event: 'done',
      data: {
        reply: result.reply,
        provider: result.provider,
        model: result.model,
        degraded: result.degraded,
        ...documentIndexedOf(result),
      },
    },
  ];
}

/**
 * `POST /ai/v1/chat`: a reply grounded in the owner's documents, as JSON or,
 * with `stream: true`, as server-sent events. The answer is complete before
 * the first event, so a failure still answers with its problem status.
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
          'With `stream: true` the answer is `text/event-stream`: `delta` events with pieces of the reply, then `citations`, then `done`.',
        tags: ['retrieval'],
        // As ask: 409 when the vector index is disabled, and no 502.
        problems: [409],
        eventStream: CHAT_STREAM_EVENT_DATA,
        body: chatRequest,
        response: { 200: chatResponse },
      },
    },
    async (request, reply): Promise<ChatResponse | typeof reply> => {
      const { ownerId, documentId, messages, stream } = request.body;
      // The reply is built before the first event: a client that leaves
      // meanwhile cancels the provider call instead of paying for it.
      const result = await retrieval().chat(
        { ownerId, documentId, messages },
        clientAbortSignal(reply),
      );
      if (stream) return sendEvents(reply, chatEvents(result));
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
