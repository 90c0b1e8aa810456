import { MemoryCacheStore } from '@docuthinker/stores';
import { waitUntil } from '@docuthinker/testing';
import { DocumentCache } from '../src/services/document-cache';

describe('DocumentCache', () => {
  const owner = 'owner-1';

  it('never keeps a page read before a write that landed while it was being read', async () => {
    const cache = new DocumentCache(new MemoryCacheStore());
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A slow store read (a remote database) that a delete overtakes.
    const slowRead = cache.renderedPage(owner, 20, undefined, async () => {
      await gate;
      return 'page with the deleted document';
    });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.forgetOwner(owner);
    release();
    expect(await slowRead).toBe('page with the deleted document');

    expect(await cache.getRenderedPage(owner, 20)).toBeUndefined();
    expect(await cache.renderedPage(owner, 20, undefined, async () => 'fresh page')).toBe(
      'fresh page',
    );
  });

  // Found by an exploratory test: a delete during a Redis blip lost its
  // invalidation, and the deleted document was listed for five minutes after.
  it('keeps off the pages of an owner whose invalidation the cache dropped, and writes it again', async () => {
    const store = new MemoryCacheStore();
    let down = false;
    const flaky = Object.assign(Object.create(store) as MemoryCacheStore, {
      set: (key: string, value: unknown, ttlMs: number) =>
        down ? Promise.resolve(false) : store.set(key, value, ttlMs),
    });
    const cache = new DocumentCache(flaky);
    let reads = 0;
    const read = async () => {
      reads += 1;
      return `page ${reads}`;
    };
    expect(await cache.renderedPage(owner, 20, undefined, read)).toBe('page 1');

    down = true;
    await cache.forgetOwner(owner);
    down = false;

    // The cache is back and still holds the stale page under the old generation.
    expect(cache.owedInvalidations).toBe(1);
    expect(await cache.getRenderedPage(owner, 20)).toBeUndefined();
    expect(await cache.renderedPage(owner, 20, undefined, read)).toBe('page 2');
    await waitUntil('the invalidation written again', async () => cache.owedInvalidations === 0);
    expect(await cache.getRenderedPage(owner, 20)).toBeUndefined();
    expect(await cache.renderedPage(owner, 20, undefined, read)).toBe('page 3');
    expect(await cache.getRenderedPage(owner, 20)).toBe('page 3');
    cache.close();
  });

  it('serves a page from the cache until the next write, per owner, limit and cursor', async () => {
    const cache = new DocumentCache(new MemoryCacheStore());
    let reads = 0;
    const read = (body: string) => async () => {
      reads += 1;
      return body;
    };
    expect(await cache.renderedPage(owner, 20, undefined, read('first'))).toBe('first');
    expect(await cache.renderedPage(owner, 20, undefined, read('unused'))).toBe('first');
    expect(await cache.getRenderedPage(owner, 20)).toBe('first');
    expect(await cache.getRenderedPage(owner, 5)).toBeUndefined();
    expect(await cache.getRenderedPage(owner, 20, 'cursor')).toBeUndefined();
    expect(await cache.getRenderedPage('owner-2', 20)).toBeUndefined();
    expect(reads).toBe(1);

    await cache.forgetOwner('owner-2');
    expect(await cache.getRenderedPage(owner, 20)).toBe('first');
    await cache.forgetOwner(owner);
    expect(await cache.renderedPage(owner, 20, undefined, read('second'))).toBe('second');
    expect(reads).toBe(2);
  });
});
