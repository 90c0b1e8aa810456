import { Router } from 'express';
import { askBody, chatBody, sessionIdParam } from '../../api/chat-schemas';
import { currentUser } from '../../middleware/authenticate';
import { jsonBody, parseOrThrow } from '../../middleware/validate';
import type { AiCallAllowance } from '../../services/ai-call-allowance';
import type { ChatService } from '../../services/chat-service';
import { sendReplyAsEvents, wantsEventStream } from './server-sent-events';

export function chatRoutes(chat: ChatService, aiCalls: AiCallAllowance): Router {
  const router = Router();
  router.post('/api/documents/:id/chat', async (req, res) => {
    const { message, sessionId } = jsonBody(req, chatBody);
    await aiCalls.spend(currentUser(req).id);
    const turn = await chat.chat(currentUser(req).id, req.params.id, message, sessionId, {
      requestId: req.id,
    });
    if (wantsEventStream(req.headers.accept)) {
      sendReplyAsEvents(res, turn.reply, turn.sessionId, turn.citations);
      return;
    }
    res.json(turn);
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
    res.json(await chat.ask(currentUser(req).id, question, documentIds, { requestId: req.id }));
  });
  return router;
}
