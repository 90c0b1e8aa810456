import { randomUUID } from 'node:crypto';
import {
  clipText,
  hasVisibleText,
  MAX_CHAT_MESSAGE_CHARS,
  type ChatMessage,
  type Citation,
} from '@docuthinker/contracts';
import type { Logger } from '@docuthinker/runtime';
import type {
  ChatMessage as StoredChatMessage,
  ChatSession,
  DocumentRecord,
  ChatSessionPageRequest,
  ChatSessionScope,
  ChatSessionSummary,
  Stores,
} from '@docuthinker/stores';
import type { GatewayChatEvent } from '../gateway/gateway-chat-events';
import type { GatewayCallContext, GatewayClient } from '../gateway/gateway-client';
import { CallerLeftError } from '../gateway/gateway-errors';
import {
  finishedReplyEvents,
  type ChatReplyEvent,
  type ChatReplyStream,
} from './chat-reply-events';
import { confirmOwnerStillExists } from './owner-presence';
import { AccountGoneError, DocumentNotIndexedError, NotFoundError } from './service-errors';

/**
 * Which provider and model answered, and whether the answer is a fallback
 * (the gateway's offline engine after the providers failed): a user can
 * tell an extractive answer from a model's. Absent where the gateway did not
 * say, or when no model was asked (see NO_ANSWER).
 */
export interface AnswerProvenance {
  provider?: string;
  model?: string;
  degraded?: boolean;
}

export interface ChatTurn extends AnswerProvenance {
  reply: string;
  sessionId: string;
  citations: { documentId: string; chunkId: string; snippet: string }[];
}

export interface AskAnswer extends AnswerProvenance {
  answer: string;
  citations: (Citation & { title: string })[];
}

function provenanceOf({ provider, model, degraded }: AnswerProvenance): AnswerProvenance {
  return {
    ...(provider === undefined ? {} : { provider }),
    ...(model === undefined ? {} : { model }),
    ...(degraded === undefined ? {} : { degraded }),
  };
}

export interface ListedChatSession extends ChatSessionSummary {
  /** Absent only for a document deleted while the list was read (its sessions go with it). */
  documentTitle?: string;
}

/** Enough context for a follow-up question without sending a whole long conversation. */
const HISTORY_MESSAGES_SENT = 20;

/**
 * A stored message as the chat contract takes it: replies are stored as the
 * gateway gave them, and one longer than a message may be (or blank) would
 * make every later turn of the session a 400 at the gateway. History is
 * context, so a long one is cut and one that shows nothing (blank, or only
 * zero-width characters, stored before the contract refused them) left out.
 */
function sendableMessage({ role, content }: ChatMessage): ChatMessage[] {
  const sendable = clipText(content.trim(), MAX_CHAT_MESSAGE_CHARS);
  return hasVisibleText(sendable) ? [{ role, content: sendable }] : [];
}

/** The answer when what answered the question was only in documents deleted since. */
export const NO_ANSWER = 'None of your documents answers this question.';

export type ChatStores = Pick<Stores, 'documents' | 'chatSessions' | 'files' | 'users'>;

/** A chat turn about to be asked: the document, its session (null for a new one) and what the gateway is sent. */
interface OpenedTurn {
  readonly scope: ChatSessionScope;
  readonly document: DocumentRecord;
  readonly session: ChatSession | null;
  readonly message: string;
  readonly messages: ChatMessage[];
}

const citedPassages = (citations: readonly Citation[]): ChatTurn['citations'] =>
  citations.map(({ documentId, chunkId, snippet }) => ({ documentId, chunkId, snippet }));

/** Document-grounded chat with persisted, owner-scoped sessions, and Q&A over a user's documents. */
export class ChatService {
  constructor(
    private readonly stores: ChatStores,
    private readonly gateway: GatewayClient,
    private readonly options: { logger?: Pick<Logger, 'warn'> } = {},
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
    context?: GatewayCallContext,
  ): Promise<ChatTurn> {
    return this.answerTurn(await this.openTurn(ownerId, documentId, message, sessionId), context);
  }

  /**
   * The reply as the gateway's provider writes it, its turn stored once it
   * is done (see ChatReplyStream). Resolves when the reply has begun, or
   * fails as `chat` does when it cannot. A document whose index job has
   * not run (or failed) is answered, or refused, as `chat` answers it, and
   * its finished reply sent in pieces: the gateway cannot tell that case
   * until its reply is written.
   */
  async streamChat(
    ownerId: string,
    documentId: string,
    message: string,
    sessionId?: string,
    context?: GatewayCallContext,
  ): Promise<ChatReplyStream> {
    const turn = await this.openTurn(ownerId, documentId, message, sessionId);
    if (turn.document.indexStatus !== 'indexed') {
      const answered = await this.answerTurn(turn, context);
      return { sessionId: answered.sessionId, events: finishedReplyEvents(answered) };
    }
    const events = await this.gateway.chatStream(
      { ownerId, documentId, messages: turn.messages },
      context,
    );
    const storedIn = turn.session?.id ?? randomUUID();
    return { sessionId: storedIn, events: this.relayedReply(turn, storedIn, events) };
  }

  private async openTurn(
    ownerId: string,
    documentId: string,
    message: string,
    sessionId: string | undefined,
  ): Promise<OpenedTurn> {
    const document = await this.stores.documents.get(ownerId, documentId);
    if (!document) throw new NotFoundError('document');
    let session: ChatSession | null = null;
    if (sessionId) {
      session = await this.stores.chatSessions.get(ownerId, sessionId);
      if (!session || session.documentId !== documentId) throw new NotFoundError('chat-session');
    }
    const history = (session?.messages ?? []).slice(-HISTORY_MESSAGES_SENT);
    return {
      scope: { ownerId, documentId },
      document,
      session,
      message,
      messages: [...history.flatMap(sendableMessage), { role: 'user', content: message }],
    };
  }

  /** The gateway's whole answer to the turn, stored (see `chat`). */
  private async answerTurn(turn: OpenedTurn, context?: GatewayCallContext): Promise<ChatTurn> {
    const { scope, document, session } = turn;
    const answer = await this.gateway.chat(
      { ownerId: scope.ownerId, documentId: scope.documentId, messages: turn.messages },
      context,
    );

    // Gone while the gateway answered: nothing is stored for a client that
    // cannot be told the session's id.
    if (context?.signal?.aborted) throw new CallerLeftError();
    // Nothing of the document could be searched: it is not indexed (yet).
    // Refused rather than stored as "none of the passages answers", which a
    // user asking right after an upload would take for the document's fault.
    // A renamed document is pending too, but the index still holds it.
    if (answer.documentIndexed === false && document.indexStatus !== 'indexed') {
      // Gone meanwhile (the document, or the account): that, not "ask again".
      if (!(await this.documentExists(scope))) throw new NotFoundError('document');
      await confirmOwnerStillExists(this.stores, scope.ownerId);
      throw new DocumentNotIndexedError(document.indexStatus);
    }
    const storedIn = await this.storeTurn(turn, answer.reply);
    if (session === null && context?.signal?.aborted) {
      // Gone while the turn was stored or checked (found by an exploratory
      // test, and in review): a new session only this answer would have
      // named is taken back out. A turn of a session the client knows stays
      // in its history.
      await this.stores.chatSessions.delete(scope.ownerId, storedIn);
      throw new CallerLeftError();
    }
    return {
      reply: answer.reply,
      sessionId: storedIn,
      citations: citedPassages(answer.citations),
      ...provenanceOf(answer),
    };
  }

  /**
   * Passes the reply's pieces on as they come and stores the turn once the
   * gateway is done: a reply that breaks off, or a client that leaves
   * before its end, stores nothing. The client named the session from the
   * start, so a turn stored after it left stays in the session's history.
   */
  private async *relayedReply(
    turn: OpenedTurn,
    storedIn: string,
    events: AsyncGenerator<GatewayChatEvent, void, undefined>,
  ): AsyncGenerator<ChatReplyEvent, void, undefined> {
    let reply = '';
    let citations: ChatTurn['citations'] = [];
    let provenance: AnswerProvenance = {};
    for await (const event of events) {
      if (event.event === 'delta') {
        reply += event.data.text;
        yield event;
      } else if (event.event === 'citations') {
        citations = citedPassages(event.data.citations);
      } else {
        provenance = provenanceOf(event.data);
      }
    }
    // What the user was shown is what the session keeps.
    await this.storeTurn(turn, reply, storedIn);
    yield { event: 'done', data: { citations, ...provenance } };
  }

  /**
   * Appends the question and its reply, creating the session (under
   * `newSessionId` when the client was told it already), and returns the
   * session's id. Taken back out when the owner or the document turns out
   * to be gone, or cannot be checked.
   */
  private async storeTurn(turn: OpenedTurn, reply: string, newSessionId?: string): Promise<string> {
    const { scope } = turn;
    const created = turn.session === null;
    const session = turn.session ?? (await this.stores.chatSessions.create(scope, newSessionId));
    let appended: ChatSession | null;
    try {
      appended = await this.stores.chatSessions.append(scope, session.id, [
        { role: 'user', content: turn.message },
        { role: 'assistant', content: reply },
      ]);
    } catch (error) {
      // Left, the session this turn created would stay in the user's list
      // empty, and the retry the client is told to make would create another.
      if (created) await this.takeBackTurn(scope, session.id, true, []);
      throw error;
    }
    if (!appended) {
      // Deleting the document deletes its sessions: say what went away.
      throw new NotFoundError((await this.documentExists(scope)) ? 'chat-session' : 'document');
    }
    let documentStillThere: boolean;
    try {
      await confirmOwnerStillExists(this.stores, scope.ownerId);
      documentStillThere = await this.documentExists(scope);
    } catch (error) {
      // A check failed (an outage) after the turn was stored: the client is
      // told to ask again, so the turn is taken back out, or the retry would
      // store it twice (found in review). AccountGoneError has removed it already.
      if (!(error instanceof AccountGoneError)) {
        await this.takeBackTurn(scope, session.id, created, appended.messages.slice(-2));
      }
      throw error;
    }
    // The document may have been deleted while the gateway answered, its
    // sessions swept before this one was saved: take the turn back out.
    if (!documentStillThere) {
      await this.stores.chatSessions.deleteForDocument(scope);
      throw new NotFoundError('document');
    }
    return session.id;
  }

  private async documentExists({ ownerId, documentId }: ChatSessionScope): Promise<boolean> {
    return (await this.stores.documents.titlesOf(ownerId, [documentId])).has(documentId);
  }

  /** A session this turn created goes whole; otherwise the turn's two messages. */
  private async takeBackTurn(
    scope: ChatSessionScope,
    sessionId: string,
    created: boolean,
    turn: readonly StoredChatMessage[],
  ): Promise<void> {
    try {
      if (created) await this.stores.chatSessions.delete(scope.ownerId, sessionId);
      else await this.stores.chatSessions.retract(scope, sessionId, turn);
    } catch (error) {
      this.options.logger?.warn(
        { err: error, sessionId },
        'a chat turn answered as failed could not be taken back out: a retry stores it twice',
      );
    }
  }

  async session(ownerId: string, sessionId: string): Promise<ChatSession> {
    const session = await this.stores.chatSessions.get(ownerId, sessionId);
    if (!session) throw new NotFoundError('chat-session');
    return session;
  }

  /** A page of the owner's sessions, each with its document's title. */
  async sessions(
    ownerId: string,
    page: ChatSessionPageRequest,
  ): Promise<{ items: ListedChatSession[]; nextCursor: string | null }> {
    const { items, nextCursor } = await this.stores.chatSessions.list(ownerId, page);
    const titles = await this.stores.documents.titlesOf(ownerId, [
      ...new Set(items.map((item) => item.documentId)),
    ]);
    return {
      items: items.map((item) => {
        const documentTitle = titles.get(item.documentId);
        return documentTitle === undefined ? item : { ...item, documentTitle };
      }),
      nextCursor,
    };
  }

  async deleteSession(ownerId: string, sessionId: string): Promise<void> {
    if (!(await this.stores.chatSessions.delete(ownerId, sessionId))) {
      throw new NotFoundError('chat-session');
    }
  }

  /** Any id that is not one of the owner's documents is "not found", like everywhere else. */
  async ask(
    ownerId: string,
    question: string,
    documentIds?: string[],
    context?: GatewayCallContext,
  ): Promise<AskAnswer> {
    // Titles only, in one read: up to 500 ids, whose full texts are not needed
    // here. Only whether each is the owner's counts; the citations are titled
    // by a read made after the answer.
    const requested = [...new Set(documentIds ?? [])];
    if (requested.length > 0) {
      const found = await this.stores.documents.titlesOf(ownerId, requested);
      if (found.size < requested.length) throw new NotFoundError('document');
    }
    const first = await this.citedAnswer(
      ownerId,
      question,
      documentIds ? requested : undefined,
      context,
    );
    // Nothing of the named documents could be searched, as for chat.
    if (first.documentsIndexed === false) await this.refuseUnindexed(ownerId, requested);
    if (!first.citedDeleted) return first.answer;
    // It cited a document deleted since it was indexed (its removal from the
    // index is still queued), so its text may be in the answer. Asked again
    // over the cited documents that remain, the answer is theirs alone.
    const remaining = [...new Set(first.answer.citations.map((citation) => citation.documentId))];
    if (remaining.length === 0) return { answer: NO_ANSWER, citations: [] };
    const second = await this.citedAnswer(ownerId, question, remaining, context);
    return second.citedDeleted ? { answer: NO_ANSWER, citations: [] } : second.answer;
  }

  /** The gateway's answer with each citation titled; those of deleted documents left out. */
  private async citedAnswer(
    ownerId: string,
    question: string,
    documentIds: string[] | undefined,
    context: GatewayCallContext | undefined,
  ): Promise<{ answer: AskAnswer; citedDeleted: boolean; documentsIndexed?: boolean }> {
    const answer = await this.gateway.ask(
      { ownerId, question, ...(documentIds ? { documentIds } : {}) },
      context,
    );
    // Read once the gateway has answered, for every cited id, requested or
    // not: a document that existed when the question came in may have been
    // deleted while the gateway answered from its still-indexed text.
    const titles = await this.stores.documents.titlesOf(ownerId, [
      ...new Set(answer.citations.map((citation) => citation.documentId)),
    ]);
    const citations: AskAnswer['citations'] = [];
    let citedDeleted = false;
    for (const citation of answer.citations) {
      const title = titles.get(citation.documentId);
      if (title === undefined) citedDeleted = true;
      else citations.push({ ...citation, title });
    }
    return {
      answer: { answer: answer.answer, citations, ...provenanceOf(answer) },
      citedDeleted,
      ...(answer.documentsIndexed === undefined
        ? {}
        : { documentsIndexed: answer.documentsIndexed }),
    };
  }

  /**
   * The index holds none of the named documents (the gateway checks a few):
   * 409 while one is still being indexed, or once every one failed; 404 or
   * 401 when one, or the account, went meanwhile. Documents the store calls
   * indexed whose index entries are lost are answered as they are.
   */
  private async refuseUnindexed(ownerId: string, documentIds: readonly string[]): Promise<void> {
    const documents = await Promise.all(
      documentIds.map((id) => this.stores.documents.get(ownerId, id)),
    );
    if (documents.some((document) => document === null)) throw new NotFoundError('document');
    await confirmOwnerStillExists(this.stores, ownerId);
    const statuses = documents.map((document) => document?.indexStatus);
    if (statuses.includes('pending')) throw new DocumentNotIndexedError('pending');
    if (statuses.every((status) => status === 'failed'))
      throw new DocumentNotIndexedError('failed');
  }
}
