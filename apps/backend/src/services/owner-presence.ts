import { eraseOwnedData, type Stores } from '@docuthinker/stores';
import { AccountGoneError } from './service-errors';

export type OwnerPresenceStores = Pick<Stores, 'users' | 'documents' | 'chatSessions' | 'files'>;

/**
 * For a request that saved something on its owner's behalf after
 * authenticating them. An upload spends seconds in extraction and a chat turn
 * waits for its answer: the account can be erased in between, and the
 * erasure's last sweep may already have run when this request writes. Read
 * from the store (not the live-accounts cache) after the write: if the user is
 * gone, remove what the owner still has and refuse the request, so nothing
 * outlives the account (`eraseAccount` in the stores lib explains the order).
 */
export async function confirmOwnerStillExists(
  stores: OwnerPresenceStores,
  ownerId: string,
): Promise<void> {
  if (await stores.users.findById(ownerId)) return;
  await eraseOwnedData(stores, ownerId, { ownerGone: true });
  throw new AccountGoneError();
}
