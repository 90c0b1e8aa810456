import { randomUUID } from 'node:crypto';
import {
  DEFAULT_CHAT_SESSION_TTL_MS,
  MAX_CHAT_SESSION_MESSAGES,
} from '../../src/ports/chat-session-store';
import { encodePageCursor } from '../../src/documents/page-cursor';
import { InvalidCursorError } from '../../src/shared/errors';
import { newOwnerId } from '../support/sample-documents';
import { useDataStores, type OpenDataStores } from './data-stores-factory';

/** The stores under test must be opened with the default 30-day session TTL. */
export function chatSessionStoreContract(open: OpenDataStores): void {
  describe('ChatSessionStore contract', () => {
    const subject = useDataStores(open);
    const sessions = () => subject.stores().chatSessions;
    const DAY = 24 * 60 * 60 * 1000;

    it('keeps messages in order for the owner and document, expiring after 30 days', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const session = await sessions().create(scope);
      expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(
        DEFAULT_CHAT_SESSION_TTL_MS,
      );
      expect(DEFAULT_CHAT_SESSION_TTL_MS).toBe(30 * DAY);

      await sessions().append(scope, session.id, [{ role: 'user', content: 'What is this?' }]);
      subject.clock().advance(1000);
      const after = await sessions().append(scope, session.id, [
        { role: 'assistant', content: 'A report.' },
        { role: 'user', content: 'Thanks' },
      ]);
      const stored = await sessions().get(scope.ownerId, session.id);
      expect(stored).toEqual(after);
      expect(stored?.documentId).toBe('doc-1');
      expect(stored?.messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'What is this?'],
        ['assistant', 'A report.'],
        ['user', 'Thanks'],
      ]);
      expect(stored?.messages[2]?.createdAt).toEqual(subject.clock().now());
    });

    it('creates a session under the id its caller chose, and refuses that id a second time', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const chosen = randomUUID();
      const session = await sessions().create(scope, chosen);
      expect(session.id).toBe(chosen);
      await sessions().append(scope, chosen, [{ role: 'user', content: 'Named first' }]);
      expect((await sessions().get(scope.ownerId, chosen))?.messages).toHaveLength(1);
      await expect(sessions().create(scope, chosen)).rejects.toThrow();
      // The refused second create left the first session as it was.
      expect((await sessions().get(scope.ownerId, chosen))?.messages).toHaveLength(1);
    });

    it('keeps the latest messages of a long conversation, in order, within its bound', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const session = await sessions().create(scope);
      const turns = MAX_CHAT_SESSION_MESSAGES / 2 + 5;
      let after = null;
      for (let turn = 0; turn < turns; turn += 1) {
        after = await sessions().append(scope, session.id, [
          { role: 'user', content: `question ${turn}` },
          { role: 'assistant', content: `answer ${turn}` },
        ]);
      }
      const stored = await sessions().get(scope.ownerId, session.id);
      expect(stored).toEqual(after);
      const contents = stored?.messages.map((message) => message.content) ?? [];
      expect(contents).toHaveLength(MAX_CHAT_SESSION_MESSAGES);
      expect(contents[0]).toBe('question 5');
      expect(contents.at(-1)).toBe(`answer ${turns - 1}`);
    });

    it('takes back the messages of one append, wherever later appends put them, in its scope only', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const session = await sessions().create(scope);
      await sessions().append(scope, session.id, [{ role: 'user', content: 'First' }]);
      subject.clock().advance(1000);
      const appended = await sessions().append(scope, session.id, [
        { role: 'user', content: 'Why?' },
        { role: 'assistant', content: 'Because.' },
      ]);
      const turn = appended?.messages.slice(-2) ?? [];
      subject.clock().advance(1000);
      // The same question again, later: not the turn taken back.
      await sessions().append(scope, session.id, [{ role: 'user', content: 'Why?' }]);

      const stranger = { ownerId: newOwnerId(), documentId: 'doc-1' };
      expect(await sessions().retract(stranger, session.id, turn)).toBe(0);
      expect(await sessions().retract({ ...scope, documentId: 'doc-2' }, session.id, turn)).toBe(0);
      expect(await sessions().retract(scope, session.id, turn)).toBe(2);
      expect(await sessions().retract(scope, session.id, turn)).toBe(0);
      const stored = await sessions().get(scope.ownerId, session.id);
      expect(stored?.messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'First'],
        ['user', 'Why?'],
      ]);
      // The expiry the last append set.
      expect(stored?.expiresAt).toEqual(
        new Date(subject.clock().now().getTime() + DEFAULT_CHAT_SESSION_TTL_MS),
      );
    });

    it('hides a session from other owners and refuses appends from another owner or document', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const session = await sessions().create(scope);
      const stranger = { ownerId: newOwnerId(), documentId: 'doc-1' };

      expect(await sessions().get(stranger.ownerId, session.id)).toBeNull();
      expect(
        await sessions().append(stranger, session.id, [{ role: 'user', content: 'x' }]),
      ).toBeNull();
      expect(
        await sessions().append({ ...scope, documentId: 'doc-2' }, session.id, [
          { role: 'user', content: 'y' },
        ]),
      ).toBeNull();
      expect(await sessions().deleteForDocument(stranger)).toBe(0);
      expect(await sessions().deleteAllForOwner(stranger.ownerId)).toBe(0);
      expect((await sessions().get(scope.ownerId, session.id))?.messages).toEqual([]);
    });

    it('treats an expired session as absent, and activity extends the expiry', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const active = await sessions().create(scope);
      const idle = await sessions().create(scope);

      subject.clock().advance(29 * DAY);
      expect(
        await sessions().append(scope, active.id, [{ role: 'user', content: 'still here' }]),
      ).not.toBeNull();
      subject.clock().advance(DAY);

      expect(await sessions().get(scope.ownerId, idle.id)).toBeNull();
      expect(
        await sessions().append(scope, idle.id, [{ role: 'user', content: 'late' }]),
      ).toBeNull();
      expect((await sessions().get(scope.ownerId, active.id))?.messages).toHaveLength(1);

      subject.clock().advance(30 * DAY);
      expect(await sessions().get(scope.ownerId, active.id)).toBeNull();
    });

    it('purges expired sessions physically, however many there are', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      // More than one batch of an adapter that purges in batches.
      for (let index = 0; index < 250; index += 1) await sessions().create(scope);
      subject.clock().advance(30 * DAY);
      const fresh = await sessions().create(scope);
      expect(await sessions().purgeExpired()).toBe(250);
      expect(await sessions().purgeExpired()).toBe(0);
      expect(await sessions().get(scope.ownerId, fresh.id)).not.toBeNull();
    });

    it('deletes the sessions of one document, or all of an owner’s', async () => {
      const owner = newOwnerId();
      const other = newOwnerId();
      const first = await sessions().create({ ownerId: owner, documentId: 'doc-1' });
      const second = await sessions().create({ ownerId: owner, documentId: 'doc-2' });
      const theirs = await sessions().create({ ownerId: other, documentId: 'doc-1' });

      expect(await sessions().deleteForDocument({ ownerId: owner, documentId: 'doc-1' })).toBe(1);
      expect(await sessions().get(owner, first.id)).toBeNull();
      expect(await sessions().get(owner, second.id)).not.toBeNull();
      expect(await sessions().deleteAllForOwner(owner)).toBe(1);
      expect(await sessions().get(owner, second.id)).toBeNull();
      expect(await sessions().get(other, theirs.id)).not.toBeNull();
    });

    it('lists an owner’s live sessions most recently active first, a page at a time, with counts and last activity', async () => {
      const ownerId = newOwnerId();
      const other = newOwnerId();
      const created: string[] = [];
      for (const documentId of ['doc-a', 'doc-b', 'doc-a']) {
        created.push((await sessions().create({ ownerId, documentId })).id);
        subject.clock().advance(1000);
      }
      await sessions().create({ ownerId: other, documentId: 'doc-a' });
      const [first, , third] = created as [string, string, string];
      await sessions().append({ ownerId, documentId: 'doc-a' }, first, [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ]);
      const activeAt = subject.clock().now();
      subject.clock().advance(5000);

      // The oldest session, just answered, comes first; the others by creation.
      const page1 = await sessions().list(ownerId, { limit: 2 });
      expect(page1.items.map((item) => item.id)).toEqual([first, third]);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const page2 = await sessions().list(ownerId, { limit: 2, cursor: page1.nextCursor });
      expect(page2.items.map((item) => item.id)).toEqual([created[1]]);
      expect(page2.nextCursor).toBeNull();
      expect(page1.items[0]).toEqual({
        id: first,
        documentId: 'doc-a',
        createdAt: expect.any(Date),
        lastActivityAt: activeAt,
        messageCount: 2,
      });
      expect(page1.items[1]?.messageCount).toBe(0);
      expect(page1.items[1]?.lastActivityAt).toEqual(page1.items[1]?.createdAt);

      const aboutA = await sessions().list(ownerId, { documentId: 'doc-a', limit: 10 });
      expect(aboutA.items.map((item) => item.id)).toEqual([first, third]);

      // Another message moves its session to the top again.
      await sessions().append({ ownerId, documentId: 'doc-b' }, created[1] as string, [
        { role: 'user', content: 'q' },
      ]);
      expect((await sessions().list(ownerId, { limit: 10 })).items.map((item) => item.id)).toEqual([
        created[1],
        first,
        third,
      ]);
      await expect(sessions().list(ownerId, { limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(
        InvalidCursorError,
      );
      // A cursor of the order by creation (a documents page, or a sessions
      // page of earlier builds) selected nothing; it is refused instead.
      const byCreation = encodePageCursor({ atMs: subject.clock().now().getTime(), id: first });
      await expect(sessions().list(ownerId, { limit: 2, cursor: byCreation })).rejects.toThrow(
        InvalidCursorError,
      );

      // Expired sessions are not listed (the third: created, never answered).
      subject.clock().advance(DEFAULT_CHAT_SESSION_TTL_MS - 6000);
      expect((await sessions().list(ownerId, { limit: 10 })).items.map((item) => item.id)).toEqual([
        created[1],
        first,
      ]);
    });

    it('deletes one session of its owner only, and says whether it did', async () => {
      const scope = { ownerId: newOwnerId(), documentId: 'doc-1' };
      const kept = await sessions().create(scope);
      const doomed = await sessions().create(scope);
      await sessions().append(scope, doomed.id, [{ role: 'user', content: 'forget me' }]);

      expect(await sessions().delete(newOwnerId(), doomed.id)).toBe(false);
      expect(await sessions().get(scope.ownerId, doomed.id)).not.toBeNull();
      expect(await sessions().delete(scope.ownerId, doomed.id)).toBe(true);
      expect(await sessions().get(scope.ownerId, doomed.id)).toBeNull();
      expect(await sessions().delete(scope.ownerId, doomed.id)).toBe(false);
      expect(
        (await sessions().list(scope.ownerId, { limit: 10 })).items.map((item) => item.id),
      ).toEqual([kept.id]);
      expect(
        await sessions().append(scope, doomed.id, [{ role: 'user', content: 'x' }]),
      ).toBeNull();
    });

    it('reports itself healthy', async () => {
      expect(await sessions().health()).toMatchObject({ ok: true });
    });
  });
}
