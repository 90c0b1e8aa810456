import type { ChatSessionStore } from './ports/chat-session-store';
import type { DocumentStore } from './ports/document-store';
import type { FileStore } from './ports/file-store';
import type { UserStore } from './ports/user-store';
import { ownerFilePrefix } from './files/document-file-key';

export interface AccountErasureStores {
  readonly users: UserStore;
  readonly documents: DocumentStore;
  readonly chatSessions: ChatSessionStore;
  readonly files: FileStore;
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
 */
export async function eraseOwnedData(
  stores: Omit<AccountErasureStores, 'users'>,
  ownerId: string,
): Promise<OwnedData> {
  const documents = await stores.documents.deleteAllForOwner(ownerId);
  const chatSessions = await stores.chatSessions.deleteAllForOwner(ownerId);
  // Also catches files whose document was never saved (a crash between upload and save).
  const files = await stores.files.deletePrefix(ownerFilePrefix(ownerId));
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
 */
export async function eraseAccount(
  stores: AccountErasureStores,
  userId: string,
): Promise<AccountErasure> {
  const first = await eraseOwnedData(stores, userId);
  const userDeleted = await stores.users.delete(userId);
  const late = await eraseOwnedData(stores, userId);
  return {
    documents: first.documents + late.documents,
    chatSessions: first.chatSessions + late.chatSessions,
    files: first.files + late.files,
    userDeleted,
  };
}
