import type { CacheStore } from '@docuthinker/stores';

/**
 * Every cache entry that holds one owner's data has its key under one of
 * these prefixes, so erasing an account can drop them all.
 */
export function ownerCachePrefixes(ownerId: string) {
  return {
    /** Document listing pages (DocumentCache). */
    documents: `doc:${ownerId}:`,
    /** AI task results, derived from the owner's texts (AiService). */
    aiResults: `ai:${ownerId}:`,
  } as const;
}

/**
 * Drops everything cached for the owner. Only for erasure: a scan of the
 * cache's keys, too slow for every write (DocumentCache.forgetOwner is the
 * per-write invalidation).
 */
export async function eraseOwnerCaches(cache: CacheStore, ownerId: string): Promise<void> {
  await Promise.all(
    Object.values(ownerCachePrefixes(ownerId)).map((prefix) => cache.deleteByPrefix(prefix)),
  );
}
