import { LRUCache } from 'lru-cache';
import type { UserStore } from '@docuthinker/stores';
import { firstValidIssuedAt, type VerifiedAccess } from './access-tokens';

/**
 * How long an account seen in the store is taken to still exist, with the
 * same password, without asking again. Deleting an account or changing its
 * password on this instance forgets it at once; on another instance of the
 * service the change is seen within this bound, which is shorter than the
 * access token's own lifetime by far.
 */
const CONFIRMED_TTL_MS = 5_000;
const MAX_ACCOUNTS = 10_000;

/**
 * Whether a token still opens its subject's account: the account exists and
 * the token was issued after the second of the last password change (a
 * change signs out every session; see firstValidIssuedAt). The lookup used to run on every
 * authenticated request and was the largest single cost of a cached
 * document listing (a store round trip; with libSQL a read transaction on the
 * WAL's shared memory). Only existing accounts are remembered, so a deleted
 * or unknown id is always checked against the store.
 */
export class LiveAccounts {
  /** Per account: tokens issued before this second are refused (0: none are). */
  private readonly confirmed = new LRUCache<string, number>({
    max: MAX_ACCOUNTS,
    ttl: CONFIRMED_TTL_MS,
  });

  /**
   * Bumped by every `forget`: a store read that began before it may have
   * seen the account as it was (not yet deleted, the old password) and must
   * not be remembered.
   */
  private forgets = 0;

  constructor(private readonly users: Pick<UserStore, 'findById'>) {}

  async accepts(access: VerifiedAccess): Promise<boolean> {
    let validFromSeconds = this.confirmed.get(access.userId);
    if (validFromSeconds === undefined) {
      const forgetsBefore = this.forgets;
      const user = await this.users.findById(access.userId);
      if (!user) return false;
      validFromSeconds = firstValidIssuedAt(user.tokensValidFrom);
      if (this.forgets === forgetsBefore) this.confirmed.set(access.userId, validFromSeconds);
    }
    return access.issuedAtSeconds >= validFromSeconds;
  }

  /**
   * Whether the token is accepted by what was seen in the store within the
   * TTL, without asking it; false means "ask", not "refused".
   */
  acceptsKnown(access: VerifiedAccess): boolean {
    const validFromSeconds = this.confirmed.get(access.userId);
    return validFromSeconds !== undefined && access.issuedAtSeconds >= validFromSeconds;
  }

  /**
   * Called when the account is deleted or its password changes here, so the
   * tokens that no longer open it stop working immediately.
   */
  forget(userId: string): void {
    this.forgets += 1;
    this.confirmed.delete(userId);
  }
}
