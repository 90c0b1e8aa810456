import type { Stores } from '@docuthinker/stores';
import { ownerCachePrefixes } from '../services/owner-cache-keys';

export type ReindexScope = { all: true } | { email: string } | { userId: string };

export interface ReindexOutcome {
  /** Absent when every owner's documents were queued. */
  ownerId?: string;
  queued: number;
}

export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
  constructor() {
    super('no user with that email or id');
  }
}

/**
 * Rebuilds the gateway's derived indexes from the document store: marks the
 * documents pending and queues an index job for each; whichever backend
 * worker is running then replays them. MongoDB (or libSQL) stays the source
 * of truth, so this is safe to run at any time, any number of times.
 */
export async function reindexDocuments(
  stores: Pick<Stores, 'documents' | 'users' | 'cache'>,
  scope: ReindexScope,
): Promise<ReindexOutcome> {
  // Cached listings show the statuses this changes (found in review: they
  // read `indexed` for minutes while each document read `pending`).
  if ('all' in scope) {
    const queued = await stores.documents.requeueIndexing();
    await stores.cache.deleteByPrefix(EVERY_OWNER_LISTING_PREFIX);
    return { queued };
  }
  const user =
    'email' in scope
      ? await stores.users.findByEmail(scope.email)
      : await stores.users.findById(scope.userId);
  if (!user) throw new UnknownUserError();
  const queued = await stores.documents.requeueIndexing({ ownerId: user.id });
  await stores.cache.deleteByPrefix(ownerCachePrefixes(user.id).documents);
  return { ownerId: user.id, queued };
}

/** Every owner's listing pages and generation: `doc:<ownerId>:…` (ownerCachePrefixes). */
const EVERY_OWNER_LISTING_PREFIX = 'doc:';
