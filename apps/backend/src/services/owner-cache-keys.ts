import { createHash } from 'node:crypto';
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
    /** Addresses the account signed in from (AccountService.login). */
    signIns: `auth:${ownerId}:`,
  } as const;
}

/**
 * The entry that says the account signed in from `clientIp`. The address is
 * kept as a digest: the key only has to recognise it again.
 */
export function trustedAddressKey(ownerId: string, clientIp: string): string {
  const digest = createHash('sha256').update(clientIp).digest('hex').slice(0, 32);
  return `${ownerCachePrefixes(ownerId).signIns}address:${digest}`;
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
