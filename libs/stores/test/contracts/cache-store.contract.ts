import { randomUUID } from 'node:crypto';
import type { CacheStore } from '../../src/ports/cache-store';
import { setTimeout as sleep } from 'node:timers/promises';

/** `cache()` returns the store under test; keys are unique per test, so it may be shared. */
export function cacheStoreContract(cache: () => CacheStore): void {
  describe('CacheStore contract', () => {
    let ns: string;
    beforeEach(() => {
      ns = `t-${randomUUID()}:`;
    });

    it('misses, then returns a copy of what was stored', async () => {
      expect(await cache().get(`${ns}doc`)).toBeUndefined();
      const value = { title: 'Report', tags: ['a', 'b'], pages: 3 };
      expect(await cache().set(`${ns}doc`, value, 60_000)).toBe(true);
      const read = await cache().get<typeof value>(`${ns}doc`);
      expect(read).toEqual(value);
      read?.tags.push('mutated');
      expect(await cache().get(`${ns}doc`)).toEqual(value);
    });

    it('forgets an entry when its TTL passes', async () => {
      // A second of TTL: with 150 ms, a CI machine running four suites at
      // once took longer than that between the set and the first get.
      await cache().set(`${ns}short`, 'soon gone', 1000);
      await cache().set(`${ns}long`, 'stays', 60_000);
      expect(await cache().get(`${ns}short`)).toBe('soon gone');
      await sleep(1300);
      expect(await cache().get(`${ns}short`)).toBeUndefined();
      expect(await cache().get(`${ns}long`)).toBe('stays');
    });

    it('deletes one key, or every key with a prefix taken literally', async () => {
      await cache().set(`${ns}doc:owner-1:a`, 1, 60_000);
      await cache().set(`${ns}doc:owner-1:b`, 2, 60_000);
      await cache().set(`${ns}doc:owner-2:a`, 3, 60_000);
      await cache().set(`${ns}doc:owner-1*x`, 4, 60_000);
      await cache().set(`${ns}doc:owner-1Xx`, 5, 60_000);

      await cache().delete(`${ns}doc:owner-2:a`);
      expect(await cache().get(`${ns}doc:owner-2:a`)).toBeUndefined();

      expect(await cache().deleteByPrefix(`${ns}doc:owner-1:`)).toBe(true);
      expect(await cache().get(`${ns}doc:owner-1:a`)).toBeUndefined();
      expect(await cache().get(`${ns}doc:owner-1:b`)).toBeUndefined();
      expect(await cache().get(`${ns}doc:owner-1*x`)).toBe(4);

      await cache().deleteByPrefix(`${ns}doc:owner-1*`);
      expect(await cache().get(`${ns}doc:owner-1*x`)).toBeUndefined();
      expect(await cache().get(`${ns}doc:owner-1Xx`)).toBe(5);
    });

    it('replaces a value on a second set', async () => {
      await cache().set(`${ns}k`, 'first', 60_000);
      await cache().set(`${ns}k`, 'second', 60_000);
      expect(await cache().get(`${ns}k`)).toBe('second');
    });

    it('reports itself healthy', async () => {
      expect(await cache().health()).toMatchObject({ ok: true });
    });
  });
}
