import type { CacheStore } from '@docuthinker/stores';

/** Long enough to absorb a burst of list requests; writes invalidate anyway. */
const LIST_TTL_MS = 5 * 60 * 1000;

/**
 * Document list pages per owner in the shared cache, kept as the response
 * body already rendered: a cached listing is then sent without parsing,
 * mapping and serialising twenty documents again on every request. Every
 * write to an owner's documents (upload, rename, delete, index status) drops
 * all of the owner's pages, so a cached page is never staler than the last
 * write.
 */
export class DocumentCache {
  constructor(private readonly cache: CacheStore) {}

  async getRenderedPage(
    ownerId: string,
    limit: number,
    cursor?: string,
  ): Promise<string | undefined> {
    const cached = await this.cache.get<unknown>(this.pageKey(ownerId, limit, cursor));
    return typeof cached === 'string' ? cached : undefined;
  }

  async setRenderedPage(
    ownerId: string,
    limit: number,
    cursor: string | undefined,
    rendered: string,
  ): Promise<void> {
    await this.cache.set(this.pageKey(ownerId, limit, cursor), rendered, LIST_TTL_MS);
  }

  async forgetOwner(ownerId: string): Promise<void> {
    await this.cache.deleteByPrefix(this.ownerPrefix(ownerId));
  }

  private ownerPrefix(ownerId: string): string {
    return `doc:${ownerId}:`;
  }

  private pageKey(ownerId: string, limit: number, cursor: string | undefined): string {
    // `rendered` in the key: entries of the earlier object shape are never read as a body.
    return `${this.ownerPrefix(ownerId)}list-rendered:${limit}:${cursor ?? ''}`;
  }
}
