import {
  DEFAULT_CHAT_SESSION_TTL_MS,
  MAX_CHAT_SESSION_MESSAGES,
} from '../../src/ports/chat-session-store';
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

    it('reports itself healthy', async () => {
      expect(await sessions().health()).toMatchObject({ ok: true });
    });
  });
}
