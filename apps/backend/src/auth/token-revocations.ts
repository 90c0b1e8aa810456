import type { Logger } from '@docuthinker/runtime';
import type { RedisTokensValidFrom } from '@docuthinker/runtime/redis';
import type { UserStore } from '@docuthinker/stores';
import { ACCESS_TOKEN_TTL_SECONDS, firstValidIssuedAt } from './access-tokens';

/**
 * How long a published revocation lives: an access token's lifetime, after
 * which every token it refuses has expired anyway, plus a minute for clocks
 * that differ between replicas and for a login that read the account just
 * before its deletion.
 */
export const REVOCATION_TTL_SECONDS = ACCESS_TOKEN_TTL_SECONDS + 60;

/**
 * Tells the AI/ML gateway, which browsers reach directly under /ai/*, which
 * tokens the backend no longer accepts (LiveAccounts refuses them here).
 * Neither method throws: a revocation that cannot be published must not undo
 * the password change or the deletion that the user asked for, and the
 * tokens it concerns expire within ACCESS_TOKEN_TTL_SECONDS anyway.
 */
export interface TokenRevocations {
  /** After a password change committed: the user's tokens issued before it are refused. */
  passwordChanged(userId: string): Promise<void>;
  /** After the account was erased: every token of it is refused. */
  accountDeleted(userId: string): Promise<void>;
}

/** With no record to publish to (tests of the backend alone): nothing is published. */
export const UNPUBLISHED_TOKEN_REVOCATIONS: TokenRevocations = {
  passwordChanged: async () => undefined,
  accountDeleted: async () => undefined,
};

/** Where revocations are published: Redis (RepublishedTokensValidFrom) or the embedded file. */
export interface TokensValidFromRecord extends Pick<RedisTokensValidFrom, 'raise' | 'refuseAll'> {
  /** True when a write that failed is made again later (on Redis, once the connection is back). */
  readonly retriesUnpublished?: boolean;
}

/**
 * Publishes revocations in the tokens-valid-from record both services share
 * (Redis, or a file in the data directory on one machine). A password change publishes the account's own `tokensValidFrom`,
 * read back after the change, so the gateway refuses exactly the tokens
 * LiveAccounts refuses; should that read fail, this
 * process's clock, which was read after the change committed, stands in.
 */
export class PublishedTokenRevocations implements TokenRevocations {
  constructor(
    private readonly record: TokensValidFromRecord,
    private readonly users: Pick<UserStore, 'findById'>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  async passwordChanged(userId: string): Promise<void> {
    await this.publish(userId, 'password change', async () => {
      const account = await this.users.findById(userId).catch(() => null);
      const validFrom = account?.tokensValidFrom ?? new Date(this.now());
      await this.record.raise(userId, firstValidIssuedAt(validFrom), REVOCATION_TTL_SECONDS);
    });
  }

  async accountDeleted(userId: string): Promise<void> {
    await this.publish(userId, 'account deletion', () =>
      this.record.refuseAll(userId, REVOCATION_TTL_SECONDS),
    );
  }

  private async publish(userId: string, what: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const until = this.record.retriesUnpublished
        ? 'until the record is back, when it is written again'
        : 'until they expire';
      this.logger.warn(
        { userId, error: (error as Error).message },
        `${what} not published to the gateway (its record is unavailable): there the user's older tokens work ${until}`,
      );
    }
  }
}
