import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from './flexible-classes';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

/**
 * Adapts a rate-limiter-flexible limiter to the port: over-limit is a
 * decision, not an exception (the library rejects with a `RateLimiterRes`).
 */
export class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string, points = 1): Promise<RateLimitDecision> {
    try {
      const result = await this.limiter.consume(key, points);
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
    await this.limiter.delete(key);
  }

  async refund(key: string, points = 1): Promise<void> {
    // Never below nothing: a window that ended since the points were taken
    // (or an outage that moved the count between Redis and this process)
    // would otherwise open the next window with extra points.
    const counted = (await this.limiter.get(key))?.consumedPoints ?? 0;
    const refunded = Math.min(points, counted);
    if (refunded > 0) await this.limiter.reward(key, refunded);
  }
}
