import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from './flexible-classes';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

/**
 * What a count is kept under: a digest of the caller's key. Keys are emails,
 * addresses and user ids, and a count outlives the account it was about by
 * up to its window (found in review: `docuthinker:rate:login-email:<email>`
 * stayed in Redis for a quarter of an hour after the account was erased).
 * A count only has to recognise its caller again, which the digest does.
 * It keeps them out of the clear (a key listing, a dump, a log of Redis
 * commands), not secret from one who tries every address or a list of
 * emails against it; the backend and the gateway must compute the same key
 * for a user's AI calls, so there is no secret of one service's to add.
 */
function storedKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * Adapts a rate-limiter-flexible limiter to the port: over-limit is a
 * decision, not an exception (the library rejects with a `RateLimiterRes`).
 */
export class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string, points = 1): Promise<RateLimitDecision> {
    try {
      const result = await this.limiter.consume(storedKey(key), points);
      return {
        allowed: true,
        remaining: result.remainingPoints,
        retryAfterMs: result.msBeforeNext,
      };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, remaining: 0, retryAfterMs: rejection.msBeforeNext };
      }
      throw rejection;
    }
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(storedKey(key));
  }

  async refund(key: string, points = 1): Promise<void> {
    // Never below nothing: a window that ended since the points were taken
    // (or an outage that moved the count between Redis and this process)
    // would otherwise open the next window with extra points.
    const stored = storedKey(key);
    const counted = (await this.limiter.get(stored))?.consumedPoints ?? 0;
    const refunded = Math.min(points, counted);
    if (refunded > 0) await this.limiter.reward(stored, refunded);
  }
}
