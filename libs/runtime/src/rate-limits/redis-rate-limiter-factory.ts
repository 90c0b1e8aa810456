import type { Redis } from 'ioredis';
import type * as Flexible from 'rate-limiter-flexible';
import type { RateLimiter, RateLimiterFactory, RateLimitRule } from './rate-limiter';
import { memoryLimiterFor } from './memory-rate-limiter-factory';
import { FlexibleRateLimiter } from './flexible-rate-limiter';

// From its own file, as in flexible-classes.ts: the package's index requires every store it supports.
const RateLimiterRedis =
  require('rate-limiter-flexible/lib/RateLimiterRedis') as typeof Flexible.RateLimiterRedis;

/**
 * Counters shared by all replicas in Redis. While Redis is unreachable each
 * limiter falls back to an in-process limiter with the same rule
 * (rate-limiter-flexible's insurance limiter): limits keep being enforced,
 * per replica, instead of failing open or rejecting everyone. See README.md.
 */
export class RedisRateLimiterFactory implements RateLimiterFactory {
  readonly adapter = 'redis' as const;

  constructor(
    private readonly client: Redis,
    private readonly namespace = 'docuthinker:rate:',
  ) {}

  available(): boolean {
    return this.client.status === 'ready';
  }

  create(rule: RateLimitRule): RateLimiter {
    return new FlexibleRateLimiter(
      new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix: this.namespace + rule.name,
        points: rule.points,
        duration: rule.windowSeconds,
        // Go to the insurance limiter at once while disconnected, instead of
        // waiting for a command to time out.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memoryLimiterFor(rule),
      }),
    );
  }
}
