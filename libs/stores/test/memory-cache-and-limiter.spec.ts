import { MemoryCacheStore } from '../src/cache/memory-cache-store';
import { MemoryRateLimiterFactory } from '@docuthinker/runtime/rate-limits';
import { cacheStoreContract } from './contracts/cache-store.contract';
import { rateLimiterContract } from './contracts/rate-limiter.contract';

describe('in-process cache and rate limiter', () => {
  const cache = new MemoryCacheStore();
  const limiters = new MemoryRateLimiterFactory();

  cacheStoreContract(() => cache);
  rateLimiterContract(() => limiters);

  it('returns a stored string as it is, and objects as copies', async () => {
    const text = '{"items":[{"title":"Résumé \\"draft\\" ✓ \\u2028"}],"nextCursor":null}\n';
    await cache.set('rendered', text, 60_000);
    expect(await cache.get('rendered')).toBe(text);
    await cache.set('empty', '', 60_000);
    expect(await cache.get('empty')).toBe('');
    await cache.set('object', { text }, 60_000);
    const read = await cache.get<{ text: string }>('object');
    expect(read).toEqual({ text });
    expect(read).not.toBe(await cache.get('object'));
    await cache.set('nothing', undefined, 60_000);
    expect(await cache.get('nothing')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', async () => {
    const small = new MemoryCacheStore({ maxEntries: 2 });
    await small.set('a', 1, 60_000);
    await small.set('b', 2, 60_000);
    await small.get('a');
    await small.set('c', 3, 60_000);
    expect(await small.get('a')).toBe(1);
    expect(await small.get('b')).toBeUndefined();
    expect(await small.get('c')).toBe(3);
  });
});
