// Rate limits in this process: `@docuthinker/runtime/rate-limits`. The Redis
// adapter is a separate entry (`@docuthinker/runtime/redis`), loaded only by
// a service configured with REDIS_URL, so the driver is never loaded for nothing.
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimiterFactory,
  RateLimitRule,
} from './rate-limiter';
export { userAiCallsRule } from './rate-limiter';
export { FlexibleRateLimiter } from './flexible-rate-limiter';
export { MemoryRateLimiterFactory, memoryLimiterFor } from './memory-rate-limiter-factory';
