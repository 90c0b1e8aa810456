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

/**
 * Removes everything a user owns, then the user. Each step is idempotent and
 * the user record goes last, so an erasure interrupted half-way (a store
 * down) can simply be run again with the same, still valid, identity.
 * Documents leave one delete job each in the outbox (written atomically with
 * their removal): the worker removes their index entries and files even if
 * the direct file removal below fails.
 */
export async function eraseAccount(
  stores: AccountErasureStores,
  userId: string,
): Promise<AccountErasure> {
  const documents = await stores.documents.deleteAllForOwner(userId);
  const chatSessions = await stores.chatSessions.deleteAllForOwner(userId);
  // Also catches files whose document was never saved (a crash between upload and save).
  const files = await stores.files.deletePrefix(ownerFilePrefix(userId));
  const userDeleted = await stores.users.delete(userId);
  return { documents: documents.count, chatSessions, files, userDeleted };
}
