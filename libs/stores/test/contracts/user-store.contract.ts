import { EmailTakenError } from '../../src/shared/errors';
import { useDataStores, type OpenDataStores } from './data-stores-factory';

export function userStoreContract(open: OpenDataStores): void {
  describe('UserStore contract', () => {
    const subject = useDataStores(open);
    const users = () => subject.stores().users;

    it('creates a user with defaults and the clock time, keeping the email as typed', async () => {
      const user = await users().create({ email: '  Alice@Example.com ', passwordHash: 'hash-a' });
      expect(user).toEqual({
        id: expect.any(String),
        email: 'Alice@Example.com',
        passwordHash: 'hash-a',
        createdAt: subject.clock().now(),
        theme: 'light',
        socialMedia: {},
        tokensValidFrom: null,
      });
      expect(await users().findById(user.id)).toEqual(user);
    });

    it('finds by email whatever its case and rejects a second account with the same email', async () => {
      const user = await users().create({ email: 'Bob@Example.com', passwordHash: 'h' });
      expect((await users().findByEmail('bob@EXAMPLE.com'))?.id).toBe(user.id);
      await expect(
        users().create({ email: 'BOB@example.COM', passwordHash: 'other' }),
      ).rejects.toBeInstanceOf(EmailTakenError);
      expect(await users().findByEmail('nobody@example.com')).toBeNull();
    });

    it('merges social media links: absent keys stay, null removes, theme changes', async () => {
      const user = await users().create({ email: 'c@example.com', passwordHash: 'h' });
      await users().updateProfile(user.id, {
        socialMedia: { github: 'gh/c', linkedin: 'li/c' },
      });
      const updated = await users().updateProfile(user.id, {
        theme: 'dark',
        socialMedia: { linkedin: 'li/c2', twitter: 'tw/c' },
      });
      expect(updated?.socialMedia).toEqual({ github: 'gh/c', linkedin: 'li/c2', twitter: 'tw/c' });
      expect(updated?.theme).toBe('dark');
      const cleared = await users().updateProfile(user.id, { socialMedia: { github: null } });
      expect(cleared?.socialMedia).toEqual({ linkedin: 'li/c2', twitter: 'tw/c' });
      expect(cleared?.theme).toBe('dark');
      expect(await users().findById(user.id)).toEqual(cleared);
      expect(await users().updateProfile('no-such-user', { theme: 'dark' })).toBeNull();
    });

    it('changes only the password hash of the given user, and when its tokens start being valid', async () => {
      const first = await users().create({ email: 'd1@example.com', passwordHash: 'old-1' });
      const second = await users().create({ email: 'd2@example.com', passwordHash: 'old-2' });
      subject.clock().advance(60_000);
      expect(await users().setPasswordHash(first.id, { from: 'old-1', to: 'new-1' })).toBe(true);
      expect(await users().findById(first.id)).toMatchObject({
        passwordHash: 'new-1',
        tokensValidFrom: subject.clock().now(),
      });
      expect(await users().findById(second.id)).toMatchObject({
        passwordHash: 'old-2',
        tokensValidFrom: null,
      });
      expect(await users().setPasswordHash('no-such-user', { from: 'old-1', to: 'x' })).toBe(false);
    });

    it('changes the password hash only while it is still the one the change expects', async () => {
      const user = await users().create({ email: 'd3@example.com', passwordHash: 'old' });
      subject.clock().advance(60_000);
      expect(await users().setPasswordHash(user.id, { from: 'not-the-hash', to: 'new' })).toBe(
        false,
      );
      expect(await users().findById(user.id)).toEqual(user);
    });

    it('lets only the first of two changes from the same hash land', async () => {
      const user = await users().create({ email: 'd4@example.com', passwordHash: 'old' });
      subject.clock().advance(60_000);
      const changedAt = subject.clock().now();
      // Both checked their current password against 'old'; the second comes too late.
      expect(await users().setPasswordHash(user.id, { from: 'old', to: 'first' })).toBe(true);
      subject.clock().advance(1_000);
      expect(await users().setPasswordHash(user.id, { from: 'old', to: 'second' })).toBe(false);
      expect(await users().findById(user.id)).toMatchObject({
        passwordHash: 'first',
        tokensValidFrom: changedAt,
      });
      // Started at once, exactly one of them lands, whichever it is.
      const racing = await Promise.all(
        ['third', 'fourth'].map((to) => users().setPasswordHash(user.id, { from: 'first', to })),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      const winner = racing[0] ? 'third' : 'fourth';
      expect((await users().findById(user.id))?.passwordHash).toBe(winner);
    });

    it('deletes a user and frees the email', async () => {
      const user = await users().create({ email: 'e@example.com', passwordHash: 'h' });
      expect(await users().delete(user.id)).toBe(true);
      expect(await users().delete(user.id)).toBe(false);
      expect(await users().findById(user.id)).toBeNull();
      expect(await users().findByEmail('e@example.com')).toBeNull();
      await expect(
        users().create({ email: 'E@example.com', passwordHash: 'h' }),
      ).resolves.toBeTruthy();
    });

    it('reports itself healthy', async () => {
      expect(await users().health()).toMatchObject({ ok: true });
    });
  });
}
