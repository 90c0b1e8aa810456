export type ProviderFailureKind =
  /** 429: quota or rate limit. */
  | 'rate-limited'
  /** 5xx. */
  | 'server'
  /** Connection refused, reset, DNS: the request may not have arrived. */
  | 'network'
  /** 401/403: the key is wrong or lacks access. */
  | 'auth'
  /** Other 4xx: this request is unacceptable to this provider. */
  | 'rejected'
  /** A 2xx whose body is not what the provider's API promises, or is too large to read. */
  | 'malformed'
  /**
   * A 2xx in the API's format whose content cannot serve this request: a
   * refusal, a safety block, or a reply that is not the task's answer (no
   * list, no JSON). Another provider may do better with the same request.
   */
  | 'unusable'
  /** Every key of the pool is resting (after 429 or a timeout) or quarantined: nothing was sent. */
  | 'cooling-down';

export interface ProviderErrorOptions {
  /** From Retry-After (or the API's own retry hint), when the provider sent one. */
  readonly retryAfterMs?: number;
  /**
   * Overrides the kind's default, e.g. a 429 on the last usable key of a pool:
   * another attempt now would only meet a key that is cooling down.
   */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** A provider call that failed, classified for retry and circuit-breaking. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly retryAfterMs?: number;
  private readonly retryableOverride?: boolean;

  constructor(
    readonly provider: string,
    readonly kind: ProviderFailureKind,
    /** What went wrong, without the provider's name. */
    readonly detail: string,
    readonly status?: number,
    options: ProviderErrorOptions = {},
  ) {
    super(`${provider}: ${detail}`, options.cause === undefined ? {} : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.retryableOverride = options.retryable;
  }

  /** Worth trying the same provider again after a pause. */
  get retryable(): boolean {
    if (this.retryableOverride !== undefined) return this.retryableOverride;
    return this.kind === 'rate-limited' || this.kind === 'server' || this.kind === 'network';
  }

  /**
   * Says something about the provider's health, so it counts towards opening
   * its circuit. A rejected request or an unusable answer says something
   * about the request only (one user's document that a model refuses must
   * not take the provider away from everyone), and a pool with no usable key
   * says something about our keys only.
   */
  get countsAgainstHealth(): boolean {
    return this.kind !== 'rejected' && this.kind !== 'unusable' && this.kind !== 'cooling-down';
  }

  /** The same failure, not to be retried on this provider; `why` is appended to the detail. */
  withoutRetry(why: string): ProviderError {
    return new ProviderError(this.provider, this.kind, `${this.detail} (${why})`, this.status, {
      retryAfterMs: this.retryAfterMs,
      retryable: false,
      cause: this,
    });
  }
}

/** Maps an HTTP status to a failure kind; undefined for success. */
export function failureKindForStatus(status: number): ProviderFailureKind | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server';
  // 408 Request Timeout is the provider giving up, not a bad request.
  if (status === 408) return 'server';
  return 'rejected';
}
