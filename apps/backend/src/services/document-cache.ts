import { randomUUID } from 'node:crypto';
import { BackoffRetry } from '@docuthinker/runtime';
import type { CacheStore } from '@docuthinker/stores';
import { ownerCachePrefixes } from './owner-cache-keys';

/** Long enough to absorb a burst of list requests; writes invalidate anyway. */
const LIST_TTL_MS = 5 * 60 * 1000;
/** Far longer than a page lives: a lost generation only costs a cache miss. */
const GENERATION_TTL_MS = 24 * 60 * 60 * 1000;
/** A dropped invalidation is written again after this, doubling up to the maximum. */
const INVALIDATION_RETRY_BASE_MS = 500;
const INVALIDATION_RETRY_MAX_MS = 5_000;

/**
 * Document list pages per owner in the shared cache, kept as the response
 * body already rendered: a cached listing is then sent without parsing,
 * mapping and serialising twenty documents again on every request.
 *
 * Pages are written under the owner's current *generation*, and every write
 * to the owner's documents (upload, rename, delete, index status) starts a
 * new one. The generation is read before the store is: a write that lands
 * between the store read and the cache write has moved the generation on,
 * so the page it made stale is never read. (Deleting the owner's pages
 * instead left that window open, and scanned the whole cache on every write.)
 * Pages of old generations are never read again and expire.
 */
export class DocumentCache {
  /**
   * Owners whose last invalidation the cache dropped (Redis out of reach):
   * their pages from before the write may still be read from it once it is
   * back, so this process does not read them, and starts a new generation
   * again until the cache takes it.
   */
  private readonly unconfirmed = new Set<string>();
  /** Never keeps a stopping process alive: a cache that is back gets the next write's invalidation. */
  private readonly retry = new BackoffRetry(
    () => {
      void Promise.all([...this.unconfirmed].map((ownerId) => this.forgetOwner(ownerId))).then(
        () => {
          if (this.unconfirmed.size === 0) this.retry.reset();
        },
      );
    },
    INVALIDATION_RETRY_BASE_MS,
    INVALIDATION_RETRY_MAX_MS,
  );

  constructor(private readonly cache: CacheStore) {}

  /** The cached page, if any; never writes. */
  async getRenderedPage(
    ownerId: string,
    limit: number,
    cursor?: string,
  ): Promise<string | undefined> {
    if (this.unconfirmed.has(ownerId)) return undefined;
    const generation = await this.cache.get<unknown>(this.generationKey(ownerId));
    if (typeof generation !== 'string') return undefined;
    const cached = await this.cache.get<unknown>(this.pageKey(ownerId, generation, limit, cursor));
    return typeof cached === 'string' ? cached : undefined;
  }

  /**
   * The page from the cache, or `read` from the store and cached. `read`
   * runs after the generation is fixed (see the class comment).
   */
  async renderedPage(
    ownerId: string,
    limit: number,
    cursor: string | undefined,
    read: () => Promise<string>,
  ): Promise<string> {
    if (this.unconfirmed.has(ownerId)) return read();
    const generation = await this.currentGeneration(ownerId);
    const key = this.pageKey(ownerId, generation, limit, cursor);
    const cached = await this.cache.get<unknown>(key);
    if (typeof cached === 'string') return cached;
    const rendered = await read();
    await this.cache.set(key, rendered, LIST_TTL_MS);
    return rendered;
  }

  /** After a write: the owner's cached pages are not read again. */
  async forgetOwner(ownerId: string): Promise<void> {
    if (await this.cache.set(this.generationKey(ownerId), randomUUID(), GENERATION_TTL_MS)) {
      this.unconfirmed.delete(ownerId);
      return;
    }
    // Dropped: the pages the write made stale would be read again once the
    // cache is back, until they expire (found by an exploratory test: a
    // deleted document listed for five minutes after a Redis blip).
    this.unconfirmed.add(ownerId);
    this.retry.schedule();
  }

  /** Owners whose invalidation is still to be confirmed (for tests). */
  get owedInvalidations(): number {
    return this.unconfirmed.size;
  }

  /** Stops trying again (a stopping process); owners left owed stay uncached here. */
  close(): void {
    this.retry.close();
  }

  private async currentGeneration(ownerId: string): Promise<string> {
    const key = this.generationKey(ownerId);
    const current = await this.cache.get<unknown>(key);
    if (typeof current === 'string') return current;
    const fresh = randomUUID();
    await this.cache.set(key, fresh, GENERATION_TTL_MS);
    return fresh;
  }

  private generationKey(ownerId: string): string {
    return `${ownerCachePrefixes(ownerId).documents}generation`;
  }

  private pageKey(
    ownerId: string,
    generation: string,
    limit: number,
    cursor: string | undefined,
  ): string {
    // `rendered` in the key: entries of the earlier object shape are never read as a body.
    return `${ownerCachePrefixes(ownerId).documents}list-rendered:${generation}:${limit}:${cursor ?? ''}`;
  }
}
