export interface RateLimitRule {
  /** Distinguishes limiters sharing one store, e.g. `login-ip`. */
  readonly name: string;
  /** Requests allowed per window. */
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Until the window resets; what `Retry-After` reports when not allowed. */
  readonly retryAfterMs: number;
}

/** Counts requests per key in fixed windows. Never rejects because a store is down. */
export interface RateLimiter {
  consume(key: string, points?: number): Promise<RateLimitDecision>;
  /** Forgets the key's count, e.g. after a successful login. */
  reset(key: string): Promise<void>;
  /** Gives back points that should not have counted, leaving the rest of the count. */
  refund(key: string, points?: number): Promise<void>;
}

/** Creates limiters on one backing store (Redis or this process). */
export interface RateLimiterFactory {
  readonly adapter: 'redis' | 'memory';
  /**
   * Whether counts reach the backing store now: false while Redis is
   * unreachable, when each limiter counts in this process instead.
   */
  available(): boolean;
  create(rule: RateLimitRule): RateLimiter;
}

/**
 * The AI calls one user may make per minute (DOCUTHINKER_AI_CALLS_PER_MINUTE),
 * one rule for the backend and the gateway: with Redis both count a user's
 * calls under the same key, so the user has one allowance across the
 * platform, whichever service and replica the calls reach.
 */
export function userAiCallsRule(perMinute: number): RateLimitRule {
  return { name: 'ai-calls-user', points: perMinute, windowSeconds: 60 };
}
