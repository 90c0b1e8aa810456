export interface RetryDelayOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Injected for tests; defaults to `Math.random`. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "full jitter" for the outbox's persisted retry time:
 * a random delay in [0, min(max, base·2^(attempt-1))], so workers that failed
 * together (the gateway went down) do not all retry at the same moment.
 */
export function retryDelayMs(attempt: number, options: RetryDelayOptions = {}): number {
  const { baseMs = 1000, maxMs = 5 * 60 * 1000, random = Math.random } = options;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(random() * ceiling);
}
