import type { ChatSessionStore } from './ports/chat-session-store';
import type { DocumentStore } from './ports/document-store';
import type { FileStore } from './ports/file-store';
import type { OutboxStore } from './ports/outbox-store';
import type { UserStore } from './ports/user-store';
import { ownerFilePrefix } from './files/document-file-key';
import { FileStoreUnavailableError } from './shared/errors';

export interface AccountErasureStores {
  readonly users: UserStore;
  readonly documents: DocumentStore;
  readonly chatSessions: ChatSessionStore;
  readonly files: FileStore;
  readonly outbox: OutboxStore;
}

export interface AccountErasureOptions {
  /**
   * How long after the erasure a write made with the user's credentials can
   * still reach the gateway's index: the longest an access token issued up
   * to now stays valid, plus the time a request already under way may take
   * to land. The owner's index is purged once more after it.
   */
  readonly lateIndexWritesWithinMs: number;
}

export interface AccountErasure {
  readonly documents: number;
  readonly chatSessions: number;
  readonly files: number;
  readonly userDeleted: boolean;
}

export type OwnedData = Omit<AccountErasure, 'userDeleted'>;

/**
 * Removes everything `ownerId` owns, leaving the user record alone. Each
 * store call is idempotent; documents leave one delete job each in the
 * outbox (written atomically with their removal), so the worker removes
 * their index entries and files even if the direct file removal fails.
 *
 * A file store that fails is FileStoreUnavailableError while the user still
 * exists: the request that erases can be made again. Once the user is gone
 * (`ownerGone`) nobody can ask again, and the owner's purge jobs, written
 * before the user went, remove the files: the failure is left to them.
 */
export async function eraseOwnedData(
  stores: Omit<AccountErasureStores, 'users' | 'outbox'>,
  ownerId: string,
  { ownerGone = false }: { ownerGone?: boolean } = {},
): Promise<OwnedData> {
  const documents = await stores.documents.deleteAllForOwner(ownerId);
  const chatSessions = await stores.chatSessions.deleteAllForOwner(ownerId);
  // Also catches files whose document was never saved (a crash between upload and save).
  const files = await stores.files
    .deletePrefix(ownerFilePrefix(ownerId))
    .catch((error: unknown) => {
      if (ownerGone) return 0;
      throw new FileStoreUnavailableError('erase', error);
    });
  return { documents: documents.count, chatSessions, files };
}

/**
 * Removes everything a user owns, then the user, then sweeps once more.
 *
 * - The user record goes after the first sweep, so an erasure interrupted
 *   half-way (a store down) can simply be run again with the same, still
 *   valid, identity.
 * - The second sweep takes what requests already past authentication (an
 *   upload being extracted, a chat turn waiting for its answer) saved while
 *   the first one ran. Such a request checks that its owner still exists
 *   after saving (`confirmOwnerStillExists` in the backend), so a write that
 *   lands after this sweep is removed by the request itself.
 * - The gateway's index may hold more than the documents' delete jobs remove:
 *   a user's token may index at the gateway directly, under ids the backend
 *   never saw. Two purge jobs remove the owner's whole index: one due now,
 *   and one once no late write can land any more. They are written before
 *   the user goes: written after, a crash in between would lose them for
 *   good, since a deleted user cannot ask again. An erasure that stops in
 *   between leaves an account whose documents the first sweep has already
 *   removed, so the purges take nothing it still has; only a document it
 *   uploads before the second purge loses its index entries (a re-index,
 *   `nx run backend:reindex`, brings them back).
 */
export async function eraseAccount(
  stores: AccountErasureStores,
  userId: string,
  options: AccountErasureOptions,
): Promise<AccountErasure> {
  const first = await eraseOwnedData(stores, userId);
  await stores.outbox.enqueue({ kind: 'purge', ownerId: userId, documentId: '' });
  await stores.outbox.enqueue({
    kind: 'purge',
    ownerId: userId,
    documentId: '',
    notBefore: new Date(Date.now() + options.lateIndexWritesWithinMs),
  });
  const userDeleted = await stores.users.delete(userId);
  const late = await eraseOwnedData(stores, userId, { ownerGone: true });
  return {
    documents: first.documents + late.documents,
    chatSessions: first.chatSessions + late.chatSessions,
    files: first.files + late.files,
    userDeleted,
  };
}
