import { LRUCache } from 'lru-cache';

/**
 * Enough for every access token alive at once on one instance under heavy
 * use (a token lives 15 minutes); a full cache only costs re-verification.
 */
const DEFAULT_MAX_TOKENS = 10_000;

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most; the least recently used goes first. */
  readonly max?: number;
  /** Milliseconds since the epoch; tests move it to check expiry. */
  readonly now?: () => number;
}

interface VerifiedToken<T> {
  readonly value: T;
  readonly expiresAtMs: number;
}

/**
 * Tokens that passed full verification, keyed by the exact token string, with
 * what verifying them established (a subject, a principal). Verifying an
 * HS256 token (base64url decoding, JSON parsing, an HMAC and the claim
 * checks) was a measurable share of every authenticated request in both
 * services, and a client sends the same token on each request until it
 * expires. The string is the whole token, signature included, so a hit is a
 * token that verified before; the only thing that can change its answer is
 * the expiry, which is checked on every hit. Only valid tokens are kept: a
 * flood of forged tokens cannot evict real ones or grow the cache. That holds
 * because a valid token has one spelling: callers verify a JWT only in its
 * exact compact form (`isCompactJws` in libs/contracts), since jose also
 * takes it with characters outside base64url added, which would let one
 * token be remembered under any number of keys.
 */
export class VerifiedTokenCache<T> {
  private readonly entries: LRUCache<string, VerifiedToken<T>>;
  private readonly now: () => number;

  constructor({ max = DEFAULT_MAX_TOKENS, now = Date.now }: VerifiedTokenCacheOptions = {}) {
    this.entries = new LRUCache({ max });
    this.now = now;
  }

  /** What a cached, still unexpired token verified as; undefined when not cached. */
  get(token: string): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAtMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  remember(token: string, value: T, expiresAtMs: number): void {
    if (this.now() < expiresAtMs) this.entries.set(token, { value, expiresAtMs });
  }
}
