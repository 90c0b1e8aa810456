import { Router } from 'express';
import { askBody, chatBody, chatSessionListQuery, sessionIdParam } from '../../api/chat-schemas';
import { currentUser } from '../../middleware/authenticate';
import { exactPathOnly } from '../../middleware/exact-path-only';
import { jsonBody, parseOrThrow, queryOf } from '../../middleware/validate';
import type { AiCallAllowance } from '../../services/ai-call-allowance';
import type { ChatService } from '../../services/chat-service';
import { sendReplyAsEvents, wantsEventStream } from './server-sent-events';
import { gatewayCallContext } from '../gateway-call-context';

export function chatRoutes(chat: ChatService, aiCalls: AiCallAllowance): Router {
  const router = Router();
  router.post('/api/documents/:id/chat', async (req, res) => {
    // JSON or server-sent events by Accept: a cache (were one to keep it
    // despite no-store) must not answer one with the other.
    res.vary('Accept');
    const { message, sessionId } = jsonBody(req, chatBody);
    const ownerId = currentUser(req).id;
    await aiCalls.spend(ownerId);
    const context = gatewayCallContext(req, res);
    if (wantsEventStream(req)) {
      const stream = await aiCalls.refundedIfNotIndexed(
        ownerId,
        chat.streamChat(ownerId, req.params.id, message, sessionId, context),
      );
      await sendReplyAsEvents(req, res, stream);
      return;
    }
    res.json(
      await aiCalls.refundedIfNotIndexed(
        ownerId,
        chat.chat(ownerId, req.params.id, message, sessionId, context),
      ),
    );
  });
  router.get('/api/chat/sessions', exactPathOnly, async (req, res) => {
    const { documentId, limit, cursor } = queryOf(req, chatSessionListQuery);
    const page = await chat.sessions(currentUser(req).id, {
      limit,
      ...(documentId === undefined ? {} : { documentId }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    res.json({
      items: page.items.map((item) => ({
        id: item.id,
        documentId: item.documentId,
        ...(item.documentTitle === undefined ? {} : { documentTitle: item.documentTitle }),
        messageCount: item.messageCount,
        createdAt: item.createdAt.toISOString(),
        lastActivityAt: item.lastActivityAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    });
  });
  router.delete('/api/chat/sessions/:sessionId', async (req, res) => {
    const { sessionId } = parseOrThrow(sessionIdParam, req.params);
    await chat.deleteSession(currentUser(req).id, sessionId);
    res.status(204).end();
  });
  router.get('/api/chat/sessions/:sessionId', async (req, res) => {
    const { sessionId } = parseOrThrow(sessionIdParam, req.params);
    const session = await chat.session(currentUser(req).id, sessionId);
    res.json({
      documentId: session.documentId,
      messages: session.messages.map((message) => ({
        role: message.role,
        content: message.content,
        createdAt: message.createdAt.toISOString(),
      })),
    });
  });
  router.post('/api/ask', async (req, res) => {
    const { question, documentIds } = jsonBody(req, askBody);
    await aiCalls.spend(currentUser(req).id);
    res.json(
      await aiCalls.refundedIfNotIndexed(
        currentUser(req).id,
        chat.ask(currentUser(req).id, question, documentIds, gatewayCallContext(req, res)),
      ),
    );
  });
  return router;
}
