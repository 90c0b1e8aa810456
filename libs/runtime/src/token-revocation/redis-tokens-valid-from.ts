import type { Redis } from 'ioredis';

/**
 * One key per user in the Redis the backend and the gateway share. Its value
 * is the second (as a JWT's `iat`) from which the user's access tokens are
 * valid: the backend raises it when the password changes or the account is
 * deleted, and the gateway, which browsers reach directly, refuses older
 * tokens. Without it the gateway honoured a stolen token for its whole
 * lifetime after the victim changed their password.
 */
export const TOKENS_VALID_FROM_KEY_PREFIX = 'docuthinker:tokens-valid-from:';

export function tokensValidFromKey(userId: string): string {
  return TOKENS_VALID_FROM_KEY_PREFIX + userId;
}

/** A deleted account's value: later than any token's `iat`, so every token of it is refused. */
export const NO_TOKEN_VALID_FROM = Number.MAX_SAFE_INTEGER;

/**
 * Raises the value, never lowers it: of two writes that cross (two password
 * changes on two replicas, a change and a deletion), the later second stands,
 * and a deletion cannot be undone by a change published after it. A value
 * that stays keeps its own expiry, which is later than the lower one's would
 * have been: it was written at or after its own (later) second.
 */
const RAISE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current ~= nil and current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

/**
 * The tokens-valid-from record on Redis. Both methods reject when Redis does
 * not answer (the client fails fast while disconnected); callers decide what
 * an outage means for them.
 */
export class RedisTokensValidFrom {
  constructor(private readonly client: Redis) {}

  /**
   * Refuses the user's tokens issued before `validFromSeconds`, for
   * `ttlSeconds`: a little longer than an access token lives, after which
   * every token it refuses has expired anyway.
   */
  async raise(userId: string, validFromSeconds: number, ttlSeconds: number): Promise<void> {
    await this.client.eval(
      RAISE_SCRIPT,
      1,
      tokensValidFromKey(userId),
      String(Math.floor(validFromSeconds)),
      String(Math.max(1, Math.ceil(ttlSeconds))),
    );
  }

  /** Refuses every token of the user, for `ttlSeconds` (see `raise`). */
  refuseAll(userId: string, ttlSeconds: number): Promise<void> {
    return this.raise(userId, NO_TOKEN_VALID_FROM, ttlSeconds);
  }

  /** The second from which the user's tokens are valid; undefined when nothing was revoked. */
  async read(userId: string): Promise<number | undefined> {
    const raw = await this.client.get(tokensValidFromKey(userId));
    const seconds = raw === null ? Number.NaN : Number(raw);
    return Number.isFinite(seconds) ? seconds : undefined;
  }
}
