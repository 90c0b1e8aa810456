import type { Stores } from '@docuthinker/stores';

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
  stores: Pick<Stores, 'documents' | 'users'>,
  scope: ReindexScope,
): Promise<ReindexOutcome> {
  if ('all' in scope) return { queued: await stores.documents.requeueIndexing() };
  const user =
    'email' in scope
      ? await stores.users.findByEmail(scope.email)
      : await stores.users.findById(scope.userId);
  if (!user) throw new UnknownUserError();
  return {
    ownerId: user.id,
    queued: await stores.documents.requeueIndexing({ ownerId: user.id }),
  };
}
