import { setImmediate as nextTurn } from 'node:timers/promises';
import { clampPageSize, decodePageCursor, pageFromRows } from '../documents/page-cursor';
import {
  MAX_CHAT_SESSION_MESSAGES,
  type ChatMessage,
  type ChatRole,
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
import { inWriteTransaction, type EmbeddedDatabase } from './libsql-database';
import { prepared } from './libsql-statements';

/** Expired sessions removed per statement (each with up to 200 messages). */
const PURGE_BATCH_SESSIONS = 100;

interface SessionRow {
  id: string;
  owner_id: string;
  document_id: string;
  created_at: number;
  expires_at: number;
}

interface MessageRow {
  role: ChatRole;
  content: string;
  created_at: number;
}

export class LibsqlChatSessionStore implements ChatSessionStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async create(scope: ChatSessionScope, id = newId()): Promise<ChatSession> {
    const now = this.clock();
    const session: ChatSession = {
      id: id,
      ownerId: scope.ownerId,
      documentId: scope.documentId,
      messages: [],
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    };
    prepared(
      this.db,
      'INSERT INTO chat_sessions (id, owner_id, document_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ).run(
      session.id,
      session.ownerId,
      session.documentId,
      now.getTime(),
      session.expiresAt.getTime(),
    );
    return session;
  }

  async get(ownerId: string, sessionId: string): Promise<ChatSession | null> {
    return this.findLive(sessionId, ownerId);
  }

  async append(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly NewChatMessage[],
  ): Promise<ChatSession | null> {
    return inWriteTransaction(this.db, () => {
      const session = this.findLive(sessionId, scope.ownerId);
      if (!session || session.documentId !== scope.documentId) return null;
      const now = this.clock();
      const insert = prepared(
        this.db,
        'INSERT INTO chat_messages (session_id, position, role, content, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      // After the last kept position: older messages may have been dropped.
      const { last } = prepared(
        this.db,
        'SELECT COALESCE(MAX(position), -1) AS last FROM chat_messages WHERE session_id = ?',
      ).get(sessionId) as { last: number };
      messages.forEach((message, offset) =>
        insert.run(sessionId, last + 1 + offset, message.role, message.content, now.getTime()),
      );
      prepared(this.db, 'DELETE FROM chat_messages WHERE session_id = ? AND position <= ?').run(
        sessionId,
        last + messages.length - MAX_CHAT_SESSION_MESSAGES,
      );
      const expiresAt = new Date(now.getTime() + this.ttlMs);
      prepared(this.db, 'UPDATE chat_sessions SET expires_at = ? WHERE id = ?').run(
        expiresAt.getTime(),
        sessionId,
      );
      const appended: ChatMessage[] = messages.map((message) => ({
        role: message.role,
        content: message.content,
        createdAt: now,
      }));
      return {
        ...session,
        messages: [...session.messages, ...appended].slice(-MAX_CHAT_SESSION_MESSAGES),
        expiresAt,
      };
    });
  }

  async retract(
    scope: ChatSessionScope,
    sessionId: string,
    messages: readonly ChatMessage[],
  ): Promise<number> {
    return inWriteTransaction(this.db, () => {
      const inScope = prepared(
        this.db,
        'SELECT 1 FROM chat_sessions WHERE id = ? AND owner_id = ? AND document_id = ?',
      ).get(sessionId, scope.ownerId, scope.documentId);
      if (!inScope) return 0;
      const remove = prepared(
        this.db,
        'DELETE FROM chat_messages WHERE session_id = ? AND role = ? AND content = ? AND created_at = ?',
      );
      let removed = 0;
      for (const message of messages) {
        removed += remove.run(
          sessionId,
          message.role,
          message.content,
          message.createdAt.getTime(),
        ).changes;
      }
      return removed;
    });
  }

  async list(ownerId: string, page: ChatSessionPageRequest): Promise<ChatSessionPage> {
    const limit = clampPageSize(page.limit);
    const after = page.cursor ? decodePageCursor(page.cursor, 'latest-activity') : null;
    const conditions = ['s.owner_id = ?', 's.expires_at > ?'];
    const values: (string | number)[] = [ownerId, this.clock().getTime()];
    if (page.documentId !== undefined) {
      conditions.push('s.document_id = ?');
      values.push(page.documentId);
    }
    if (after) {
      conditions.push('(s.expires_at < ? OR (s.expires_at = ? AND s.id < ?))');
      values.push(after.atMs, after.atMs, after.id);
    }
    // Most recently active first: every append renews the expiry by the same TTL.
    const rows = prepared(
      this.db,
      `SELECT s.id, s.document_id, s.created_at, s.expires_at,
              (SELECT COUNT(*) FROM chat_messages m WHERE m.session_id = s.id) AS message_count,
              COALESCE((SELECT MAX(m.created_at) FROM chat_messages m WHERE m.session_id = s.id),
                       s.created_at) AS last_activity_at
         FROM chat_sessions s WHERE ${conditions.join(' AND ')}
         ORDER BY s.expires_at DESC, s.id DESC LIMIT ?`,
    ).all(...values, limit + 1) as (Pick<
      SessionRow,
      'id' | 'document_id' | 'created_at' | 'expires_at'
    > & {
      message_count: number;
      last_activity_at: number;
    })[];
    return pageFromRows(
      rows,
      limit,
      (row): ChatSessionSummary => ({
        id: row.id,
        documentId: row.document_id,
        createdAt: new Date(row.created_at),
        lastActivityAt: new Date(row.last_activity_at),
        messageCount: row.message_count,
      }),
      { order: 'latest-activity', positionOf: (row) => ({ atMs: row.expires_at, id: row.id }) },
    );
  }

  async delete(ownerId: string, sessionId: string): Promise<boolean> {
    return (
      prepared(
        this.db,
        'DELETE FROM chat_sessions WHERE id = ? AND owner_id = ? AND expires_at > ?',
      ).run(sessionId, ownerId, this.clock().getTime()).changes > 0
    );
  }

  async deleteForDocument(scope: ChatSessionScope): Promise<number> {
    return prepared(
      this.db,
      'DELETE FROM chat_sessions WHERE owner_id = ? AND document_id = ?',
    ).run(scope.ownerId, scope.documentId).changes;
  }

  async deleteAllForOwner(ownerId: string): Promise<number> {
    return prepared(this.db, 'DELETE FROM chat_sessions WHERE owner_id = ?').run(ownerId).changes;
  }

  /**
   * A batch of sessions (and, by cascade, their messages) per statement, with
   * an event-loop turn in between: a first sweep over a file that never had
   * one could otherwise hold the loop for as long as deleting all of them.
   */
  async purgeExpired(): Promise<number> {
    const now = this.clock().getTime();
    const removeBatch = prepared(
      this.db,
      `DELETE FROM chat_sessions WHERE id IN
         (SELECT id FROM chat_sessions WHERE expires_at <= ? LIMIT ${PURGE_BATCH_SESSIONS})`,
    );
    let removed = 0;
    for (;;) {
      const { changes } = removeBatch.run(now);
      removed += changes;
      if (changes < PURGE_BATCH_SESSIONS) return removed;
      await nextTurn();
    }
  }

  health(): Promise<HealthReport> {
    return probeHealth('libsql', async () => prepared(this.db, 'SELECT 1').get());
  }

  private findLive(sessionId: string, ownerId: string): ChatSession | null {
    const row = prepared(
      this.db,
      `SELECT id, owner_id, document_id, created_at, expires_at FROM chat_sessions
          WHERE id = ? AND owner_id = ? AND expires_at > ?`,
    ).get(sessionId, ownerId, this.clock().getTime()) as SessionRow | undefined;
    if (!row) return null;
    const messages = prepared(
      this.db,
      'SELECT role, content, created_at FROM chat_messages WHERE session_id = ? ORDER BY position',
    ).all(row.id) as MessageRow[];
    return {
      id: row.id,
      ownerId: row.owner_id,
      documentId: row.document_id,
      messages: messages.map((message) => ({
        role: message.role,
        content: message.content,
        createdAt: new Date(message.created_at),
      })),
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
    };
  }
}
