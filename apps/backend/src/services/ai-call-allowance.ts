import type { RateLimiter } from '@docuthinker/stores';
import { RateLimitedError } from './service-errors';

/**
 * One user's AI calls per minute (DOCUTHINKER_AI_CALLS_PER_MINUTE): each may
 * cost a paid provider request, so one account must not be able to spend
 * the platform's provider budget. Counted per user across replicas when the
 * limiter is Redis-backed. Routes spend once their request has passed schema
 * validation; one refused after that (an unknown document, a task's missing
 * option) or answered from the cache still counts, as a probe would.
 */
export class AiCallAllowance {
  constructor(private readonly limiter: RateLimiter) {}

  /** Throws RateLimitedError (429 with Retry-After) once the user has used this minute's calls. */
  async spend(userId: string): Promise<void> {
    const decision = await this.limiter.consume(userId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
  }
}
