import { createHash } from 'node:crypto';
import type { CacheStore } from '@docuthinker/stores';

/**
 * Every cache entry that holds one owner's data has its key under one of
 * these prefixes, so erasing an account can drop them all (with the
 * addresses it signed in from, kept by email: signInAddressesPrefix).
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
 * AI task results of one stored document, under the owner's: the document's
 * delete job drops them, so nothing derived from its text outlives it by the
 * results' day-long lifetime.
 */
export function documentAiResultsPrefix(ownerId: string, documentId: string): string {
  return `${ownerCachePrefixes(ownerId).aiResults}doc:${documentId}:`;
}

const digestOf = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * Where the addresses an account signed in from are kept, by the account's
 * email key: login looks them up before it reads (or knows) the account, so
 * the lookup costs the same whether the account exists or not. Emails and
 * addresses are kept as digests: the keys only have to recognise them again.
 */
export function signInAddressesPrefix(accountEmailKey: string): string {
  return `login:${digestOf(accountEmailKey)}:`;
}

/**
 * The entry that says the account of `accountEmailKey` signed in from
 * `client`: an address as clientNetwork names it (IPv4, or an IPv6 /64).
 */
export function trustedAddressKey(accountEmailKey: string, client: string): string {
  return `${signInAddressesPrefix(accountEmailKey)}address:${digestOf(client)}`;
}

/**
 * Drops everything cached for the owner; false when the cache could not be
 * reached to finish. Only for erasure: a scan of the cache's keys, too slow
 * for every write (DocumentCache.forgetOwner is the per-write invalidation).
 */
export async function eraseOwnerCaches(cache: CacheStore, ownerId: string): Promise<boolean> {
  const erased = await Promise.all(
    Object.values(ownerCachePrefixes(ownerId)).map((prefix) => cache.deleteByPrefix(prefix)),
  );
  return erased.every(Boolean);
}
