import type { RateLimiter } from '@docuthinker/stores';
import { DocumentNotIndexedError, RateLimitedError } from './service-errors';

/**
 * One user's AI calls per minute (DOCUTHINKER_AI_CALLS_PER_MINUTE): each may
 * cost a paid provider request, so one account must not be able to spend
 * the platform's provider budget. Counted per user across replicas when the
 * limiter is Redis-backed. Routes spend once their request has passed schema
 * validation; one refused after that (an unknown document, a task's missing
 * option) or answered from the cache still counts, as a probe would. A chat
 * or question refused because its document is still being indexed is given
 * back (`refundedIfNotIndexed`): its 409 tells the client to ask again.
 */
export class AiCallAllowance {
  constructor(private readonly limiter: RateLimiter) {}

  /** Throws RateLimitedError (429 with Retry-After) once the user has used this minute's calls. */
  async spend(userId: string): Promise<void> {
    const decision = await this.limiter.consume(userId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
  }

  /**
   * `call`'s outcome; the call spent is given back when it was refused as not
   * indexed yet, so a client following the 409's Retry-After does not use up
   * its minute waiting for an upload to be indexed.
   */
  async refundedIfNotIndexed<T>(userId: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof DocumentNotIndexedError) await this.limiter.refund(userId);
      throw error;
    }
  }
}
