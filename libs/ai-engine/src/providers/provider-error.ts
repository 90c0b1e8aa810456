import { isRedirect } from './response-size-limit';

export type ProviderFailureKind =
  /** 429: quota or rate limit. */
  | 'rate-limited'
  /** 5xx. */
  | 'server'
  /** Connection refused, reset, DNS: the request may not have arrived. */
  | 'network'
  /** 401/403: the key is wrong or lacks access. */
  | 'auth'
  /**
   * 404/405: the model or the endpoint does not exist. It is the provider's
   * configuration (a mistyped model name, a wrong base URL), not the
   * request: every request meets it.
   */
  | 'misconfigured'
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
  /** Overrides the kind's default, e.g. a 429 whose key's rest already keeps calls away. */
  readonly countsAgainstHealth?: boolean;
  /** The API's error code, when it is one of the known ones (see knownErrorCode). */
  readonly code?: string;
  readonly cause?: unknown;
}

/**
 * A provider call that failed, classified for retry and circuit-breaking. Its
 * message is logged and its `detail` is told in events: both are written by
 * this code, never the provider's own error text (see knownErrorCode).
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly retryAfterMs?: number;
  /** The API's own name for the failure, from a fixed list: `model_not_found`, `NOT_FOUND`. */
  readonly code?: string;
  private readonly retryableOverride?: boolean;
  private readonly healthOverride?: boolean;

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
    this.code = options.code;
    this.retryableOverride = options.retryable;
    this.healthOverride = options.countsAgainstHealth;
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
   * says something about our keys only. A misconfigured provider (404) does
   * count: every call would pay a round trip to it before failing over, and
   * its open circuit is what shows it in readiness.
   */
  get countsAgainstHealth(): boolean {
    if (this.healthOverride !== undefined) return this.healthOverride;
    return this.kind !== 'rejected' && this.kind !== 'unusable' && this.kind !== 'cooling-down';
  }

  /**
   * The same failure, not to be retried on this provider; `why` is appended
   * to the detail, and `retryAfterMs` and `countsAgainstHealth` replace its
   * own when given.
   */
  withoutRetry(
    why: string,
    retryAfterMs = this.retryAfterMs,
    countsAgainstHealth = this.countsAgainstHealth,
  ): ProviderError {
    return new ProviderError(this.provider, this.kind, `${this.detail} (${why})`, this.status, {
      retryAfterMs,
      retryable: false,
      countsAgainstHealth,
      code: this.code,
      cause: this,
    });
  }
}

/** Maps an HTTP status to a failure kind; undefined for success. */
export function failureKindForStatus(status: number): ProviderFailureKind | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  // The chat, messages and generateContent endpoints (and /analyze) answer
  // 404 for a model or a path that does not exist, 405 for a base URL that
  // points elsewhere: the same for every request.
  if (status === 404 || status === 405) return 'misconfigured';
  // Redirects are not followed (PROVIDER_REDIRECTS): the base URL points elsewhere.
  if (isRedirect(status)) return 'misconfigured';
  if (status >= 500) return 'server';
  // 408 Request Timeout is the provider giving up, not a bad request.
  if (status === 408) return 'server';
  // 400 and 422 stay about the request: a document too long for the context
  // window or one a model refuses is one request's, and must not take the
  // provider away from every user.
  return 'rejected';
}
