import type { CacheStore, DocumentPage } from '@docuthinker/stores';

/** Long enough to absorb a burst of list requests; writes invalidate anyway. */
const LIST_TTL_MS = 5 * 60 * 1000;

interface CachedPage {
  items: (Omit<DocumentPage['items'][number], 'createdAt'> & { createdAt: string })[];
  nextCursor: string | null;
}

/**
 * Document list pages per owner in the shared cache. Every write to an
 * owner's documents (upload, rename, delete, index status) drops all of the
 * owner's pages, so a cached page is never staler than the last write.
 */
export class DocumentCache {
  constructor(private readonly cache: CacheStore) {}

  async getPage(
    ownerId: string,
    limit: number,
    cursor?: string,
  ): Promise<DocumentPage | undefined> {
    const cached = await this.cache.get<CachedPage>(this.pageKey(ownerId, limit, cursor));
    if (!cached) return undefined;
    return {
      nextCursor: cached.nextCursor,
      items: cached.items.map((item) => ({ ...item, createdAt: new Date(item.createdAt) })),
    };
  }

  async setPage(ownerId: string, limit: number, cursor: string | undefined, page: DocumentPage) {
    await this.cache.set(this.pageKey(ownerId, limit, cursor), page, LIST_TTL_MS);
  }

  async forgetOwner(ownerId: string): Promise<void> {
    await this.cache.deleteByPrefix(this.ownerPrefix(ownerId));
  }

  private ownerPrefix(ownerId: string): string {
    return `doc:${ownerId}:`;
  }

  private pageKey(ownerId: string, limit: number, cursor: string | undefined): string {
    return `${this.ownerPrefix(ownerId)}list:${limit}:${cursor ?? ''}`;
  }
}
