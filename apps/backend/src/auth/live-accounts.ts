import { LRUCache } from 'lru-cache';
import type { UserStore } from '@docuthinker/stores';

/**
 * How long an account seen in the store is taken to still exist without
 * asking again. Deleting an account on this instance forgets it at once; on
 * another instance of the service the deletion is seen within this bound,
 * which is shorter than the access token's own lifetime by far.
 */
const CONFIRMED_TTL_MS = 5_000;
const MAX_ACCOUNTS = 10_000;

/**
 * Whether a token's subject still has an account. The lookup used to run on
 * every authenticated request and was the largest single cost of a cached
 * document listing (a store round trip; with libSQL a read transaction on the
 * WAL's shared memory). Only existing accounts are remembered, so a deleted
 * or unknown id is always checked against the store.
 */
export class LiveAccounts {
  private readonly confirmed = new LRUCache<string, true>({
    max: MAX_ACCOUNTS,
    ttl: CONFIRMED_TTL_MS,
  });

  constructor(private readonly users: Pick<UserStore, 'findById'>) {}

  async exists(userId: string): Promise<boolean> {
    if (this.isConfirmed(userId)) return true;
    if (!(await this.users.findById(userId))) return false;
    this.confirmed.set(userId, true);
    return true;
  }

  /** Whether the account was seen in the store within the TTL, without asking it. */
  isConfirmed(userId: string): boolean {
    return this.confirmed.get(userId) === true;
  }

  /** Called when the account is deleted here, so its tokens stop working immediately. */
  forget(userId: string): void {
    this.confirmed.delete(userId);
  }
}
