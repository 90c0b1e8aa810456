import { randomUUID } from 'node:crypto';
import type { CacheStore } from '@docuthinker/stores';
import { ownerCachePrefixes } from './owner-cache-keys';

/** Long enough to absorb a burst of list requests; writes invalidate anyway. */
const LIST_TTL_MS = 5 * 60 * 1000;
/** Far longer than a page lives: a lost generation only costs a cache miss. */
const GENERATION_TTL_MS = 24 * 60 * 60 * 1000;

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
  constructor(private readonly cache: CacheStore) {}

  /** The cached page, if any; never writes. */
  async getRenderedPage(
    ownerId: string,
    limit: number,
    cursor?: string,
  ): Promise<string | undefined> {
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
    await this.cache.set(this.generationKey(ownerId), randomUUID(), GENERATION_TTL_MS);
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
