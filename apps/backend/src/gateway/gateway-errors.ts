/**
 * The gateway could not be reached, timed out, failed, or its circuit is
 * open. Callers either degrade (the outbox retries later) or answer 503.
 */
export class GatewayUnavailableError extends Error {
  override readonly name = 'GatewayUnavailableError';
  constructor(
    readonly reason: string,
    /** When a retry has a chance: the breaker's half-open delay. */
    readonly retryAfterSeconds: number,
  ) {
    super(`AI/ML gateway unavailable: ${reason}`);
  }
}

/** The gateway answered with a 4xx: retrying the same request will not help. */
export class GatewayRejectedError extends Error {
  override readonly name = 'GatewayRejectedError';
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`AI/ML gateway rejected the request (${status}): ${detail}`);
  }
}
