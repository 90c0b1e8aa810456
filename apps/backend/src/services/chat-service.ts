import type { Citation } from '@docuthinker/contracts';
import type { ChatSession, Stores } from '@docuthinker/stores';
import type { GatewayClient } from '../gateway/gateway-client';
import { confirmOwnerStillExists } from './owner-presence';
import { NotFoundError } from './service-errors';

export interface ChatTurn {
  reply: string;
  sessionId: string;
  citations: { documentId: string; chunkId: string; snippet: string }[];
}

export interface AskAnswer {
  answer: string;
  citations: (Citation & { title: string })[];
}

/** Enough context for a follow-up question without sending a whole long conversation. */
const HISTORY_MESSAGES_SENT = 20;

export type ChatStores = Pick<Stores, 'documents' | 'chatSessions' | 'files' | 'users'>;

/** Document-grounded chat with persisted, owner-scoped sessions, and Q&A over a user's documents. */
export class ChatService {
  constructor(
    private readonly stores: ChatStores,
    private readonly gateway: GatewayClient,
  ) {}

  /**
   * The turn is stored only once the gateway has answered, so a failed call
   * leaves the session as it was and the user can simply ask again. It is
   * kept only if its owner and document still exist once it is saved.
   */
  async chat(
    ownerId: string,
    documentId: string,
    message: string,
    sessionId?: string,
  ): Promise<ChatTurn> {
    const document = await this.stores.documents.get(ownerId, documentId);
    if (!document) throw new NotFoundError('document');
    const scope = { ownerId, documentId };
    let session: ChatSession | null;
    if (sessionId) {
      session = await this.stores.chatSessions.get(ownerId, sessionId);
      if (!session || session.documentId !== documentId) throw new NotFoundError('chat-session');
    } else {
      session = null;
    }

    const history = (session?.messages ?? []).slice(-HISTORY_MESSAGES_SENT);
    const answer = await this.gateway.chat({
      ownerId,
      documentId,
      messages: [
        ...history.map(({ role, content }) => ({ role, content })),
        { role: 'user', content: message },
      ],
    });

    session ??= await this.stores.chatSessions.create(scope);
    const appended = await this.stores.chatSessions.append(scope, session.id, [
      { role: 'user', content: message },
      { role: 'assistant', content: answer.reply },
    ]);
    if (!appended) throw new NotFoundError('chat-session');
    await confirmOwnerStillExists(this.stores, ownerId);
    // The document may have been deleted while the gateway answered, its
    // sessions swept before this one was saved: take the turn back out.
    if (!(await this.stores.documents.titlesOf(ownerId, [documentId])).has(documentId)) {
      await this.stores.chatSessions.deleteForDocument(scope);
      throw new NotFoundError('document');
    }
    return {
      reply: answer.reply,
      sessionId: session.id,
      citations: answer.citations.map(({ documentId: citedId, chunkId, snippet }) => ({
        documentId: citedId,
        chunkId,
        snippet,
      })),
    };
  }

  async session(ownerId: string, sessionId: string): Promise<ChatSession> {
    const session = await this.stores.chatSessions.get(ownerId, sessionId);
    if (!session) throw new NotFoundError('chat-session');
    return session;
  }

  /** Any id that is not one of the owner's documents is "not found", like everywhere else. */
  async ask(ownerId: string, question: string, documentIds?: string[]): Promise<AskAnswer> {
    const titles = new Map<string, string>();
    for (const id of new Set(documentIds ?? [])) {
      const document = await this.stores.documents.get(ownerId, id);
      if (!document) throw new NotFoundError('document');
      titles.set(id, document.title);
    }
    const answer = await this.gateway.ask({
      ownerId,
      question,
      ...(documentIds ? { documentIds: [...titles.keys()] } : {}),
    });
    const citations: AskAnswer['citations'] = [];
    for (const citation of answer.citations) {
      let title = titles.get(citation.documentId);
      if (title === undefined) {
        title = (await this.stores.documents.get(ownerId, citation.documentId))?.title;
        if (title === undefined) continue;
        titles.set(citation.documentId, title);
      }
      citations.push({ ...citation, title });
    }
    return { answer: answer.answer, citations };
  }
}
