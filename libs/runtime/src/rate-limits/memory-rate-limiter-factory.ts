import { RateLimiterMemory } from './flexible-classes';
import type { RateLimiter, RateLimiterFactory, RateLimitRule } from './rate-limiter';
import { FlexibleRateLimiter } from './flexible-rate-limiter';

export function memoryLimiterFor(rule: RateLimitRule): RateLimiterMemory {
  return new RateLimiterMemory({
    keyPrefix: rule.name,
    points: rule.points,
    duration: rule.windowSeconds,
  });
}

/** Counters in this process: exact for one replica, per replica when there are several. */
export class MemoryRateLimiterFactory implements RateLimiterFactory {
  readonly adapter = 'memory' as const;

  available(): boolean {
    return true;
  }

  create(rule: RateLimitRule): RateLimiter {
    return new FlexibleRateLimiter(memoryLimiterFor(rule));
  }
}
