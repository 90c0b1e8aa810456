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
  /** A 2xx whose body is not what the provider's API promises. */
  | 'malformed';

/** A provider call that failed, classified for retry and circuit-breaking. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly provider: string,
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status?: number,
    /** From Retry-After, when the provider sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${provider}: ${message}`);
  }

  /** Worth trying the same provider again after a pause. */
  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'server' || this.kind === 'network';
  }

  /**
   * Says something about the provider's health, so it counts towards opening
   * its circuit. A rejected request says something about the request only.
   */
  get countsAgainstHealth(): boolean {
    return this.kind !== 'rejected';
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
