import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import { clampPageSize, decodePageCursor, pageFromRows } from '../documents/page-cursor';
import {
  MAX_CHAT_SESSION_MESSAGES,
  type ChatMessage,
  type ChatSession,
  type ChatSessionPage,
  type ChatSessionPageRequest,
  type ChatSessionScope,
  type ChatSessionStore,
  type ChatSessionSummary,
  type NewChatMessage,
} from '../ports/chat-session-store';
import type { Clock } from '../shared/clock';
import { probeHealth, type HealthReport } from '../shared/health';
import { newId } from '../shared/ids';
import { MONGO_COLLECTIONS } from './mongo-database';

interface ChatSessionDocument {
  _id: string;
  ownerId: string;
  documentId: string;
  messages: ChatMessage[];
  createdAt: Date;
  /** Indexed with expireAfterSeconds: 0, so MongoDB deletes the session at this time. */
  expiresAt: Date;
}

function toSession(document: ChatSessionDocument): ChatSession {
  return {
    id: document._id,
    ownerId: document.ownerId,
    documentId: document.documentId,
    messages: document.messages.map((message) => ({
      role: message.role,
      content: message.content,
      createdAt: message.createdAt,
    })),
    createdAt: document.createdAt,
    expiresAt: document.expiresAt,
  };
}

export class MongoChatSessionStore implements ChatSessionStore {
  private readonly sessions: Collection<ChatSessionDocument>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.sessions = db.collection<ChatSessionDocument>(MONGO_COLLECTIONS.chatSessions);
  }

  async create(scope: ChatSessionScope, id = newId()): Promise<ChatSession> {
    const now = this.clock();
    const document: ChatSessionDocument = {
      _id: id,
      ownerId: scope.ownerId,
      documentId: scope.documentId,
      messages: [],
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    };
    await this.sessions.insertOne(document);
    return toSession(document);
  }

  async get(ownerId: string, sessionId: string): Promise<ChatSession | null> {
    // The TTL monitor runs only about once a minute, so expiry is also checked here.
    const document = await this.sessions.findOne({
      _id: sessionId,
      ownerId,
      expiresAt: { $gt: this.clock() },
    });
    return document ? toSession(document) : null;
  }

  async append(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly NewChatMessage[],
  ): Promise<ChatSession | null> {
    const now = this.clock();
    const appended: ChatMessage[] = messages.map((message) => ({
      role: message.role,
      content: message.content,
      createdAt: now,
    }));
    const document = await this.sessions.findOneAndUpdate(
      {
        _id: sessionId,
        ownerId: scope.ownerId,
        documentId: scope.documentId,
        expiresAt: { $gt: now },
      },
      {
        $push: { messages: { $each: appended, $slice: -MAX_CHAT_SESSION_MESSAGES } },
        $set: { expiresAt: new Date(now.getTime() + this.ttlMs) },
      },
      { returnDocument: 'after' },
    );
    return document ? toSession(document) : null;
  }

  async retract(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly ChatMessage[],
  ): Promise<number> {
    if (messages.length === 0) return 0;
    const matches = messages.map(({ role, content, createdAt }) => ({ role, content, createdAt }));
    // One atomic update, whatever was appended since; the count is read off
    // the session as it was just before.
    // MongoDB applies a $pull condition to each element as to a document, so
    // $or is valid there; the driver's types only take per-field conditions.
    const pullMatches = {
      $pull: { messages: { $or: matches } },
    } as unknown as UpdateFilter<ChatSessionDocument>;
    const before = await this.sessions.findOneAndUpdate(
      { _id: sessionId, ownerId: scope.ownerId, documentId: scope.documentId },
      pullMatches,
      { returnDocument: 'before' },
    );
    if (!before) return 0;
    return before.messages.filter((stored) =>
      matches.some(
        (match) =>
          stored.role === match.role &&
          stored.content === match.content &&
          stored.createdAt.getTime() === match.createdAt.getTime(),
      ),
    ).length;
  }

  async list(ownerId: string, page: ChatSessionPageRequest): Promise<ChatSessionPage> {
    const limit = clampPageSize(page.limit);
    const after = page.cursor ? decodePageCursor(page.cursor, 'latest-activity') : null;
    const filter: Filter<ChatSessionDocument> = {
      ownerId,
      expiresAt: { $gt: this.clock() },
      ...(page.documentId === undefined ? {} : { documentId: page.documentId }),
      ...(after
        ? {
            $or: [
              { expiresAt: { $lt: new Date(after.atMs) } },
              { expiresAt: new Date(after.atMs), _id: { $lt: after.id } },
            ],
          }
        : {}),
    };
    // The messages' count, not the messages: a session holds up to 200 of them.
    const rows = await this.sessions
      .aggregate<{
        _id: string;
        documentId: string;
        createdAt: Date;
        expiresAt: Date;
        lastActivityAt: Date;
        messageCount: number;
      }>([
        { $match: filter },
        // Most recently active first: every append renews the expiry by the same TTL.
        { $sort: { expiresAt: -1, _id: -1 } },
        { $limit: limit + 1 },
        {
          $project: {
            documentId: 1,
            createdAt: 1,
            expiresAt: 1,
            messageCount: { $size: '$messages' },
            // The newest message's time; the session's creation before any.
            lastActivityAt: { $ifNull: [{ $max: '$messages.createdAt' }, '$createdAt'] },
          },
        },
      ])
      .toArray();
    return pageFromRows(
      rows,
      limit,
      (row): ChatSessionSummary => ({
        id: row._id,
        documentId: row.documentId,
        createdAt: row.createdAt,
        lastActivityAt: row.lastActivityAt,
        messageCount: row.messageCount,
      }),
      {
        order: 'latest-activity',
        positionOf: (row) => ({ atMs: row.expiresAt.getTime(), id: row._id }),
      },
    );
  }

  async delete(ownerId: string, sessionId: string): Promise<boolean> {
    const result = await this.sessions.deleteOne({
      _id: sessionId,
      ownerId,
      expiresAt: { $gt: this.clock() },
    });
    return result.deletedCount > 0;
  }

  async deleteForDocument(scope: ChatSessionScope): Promise<number> {
    const result = await this.sessions.deleteMany({
      ownerId: scope.ownerId,
      documentId: scope.documentId,
    });
    return result.deletedCount;
  }

  async deleteAllForOwner(ownerId: string): Promise<number> {
    return (await this.sessions.deleteMany({ ownerId })).deletedCount;
  }

  async purgeExpired(): Promise<number> {
    return (await this.sessions.deleteMany({ expiresAt: { $lte: this.clock() } })).deletedCount;
  }

  health(): Promise<HealthReport> {
    return probeHealth('mongodb', () => this.db.command({ ping: 1 }));
  }
}
