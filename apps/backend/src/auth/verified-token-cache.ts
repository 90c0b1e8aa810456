import { LRUCache } from 'lru-cache';

/**
 * Enough for every access token alive at once on one instance under heavy
 * use (a token lives 15 minutes); a full cache only costs re-verification.
 */
const MAX_TOKENS = 10_000;

interface VerifiedToken {
  readonly subject: string;
  readonly expiresAtMs: number;
}

/**
 * Tokens that passed full verification, keyed by the exact token string.
 * Verifying an HS256 token (base64url decoding, JSON parsing, an HMAC and the
 * claim checks) was a measurable share of every authenticated request, and a
 * client sends the same token on each request until it expires. The string
 * is the whole token, signature included, so a hit is a token that verified
 * before; the only claim that can change its answer is the expiry, which is
 * checked on every hit. Only valid tokens are kept: a flood of forged tokens
 * cannot evict real ones or grow the cache.
 */
export class VerifiedTokenCache {
  private readonly entries = new LRUCache<string, VerifiedToken>({ max: MAX_TOKENS });

  constructor(private readonly now: () => number) {}

  /** The subject of a cached, still unexpired token; undefined when not cached. */
  subjectOf(token: string): string | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAtMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.subject;
  }

  remember(token: string, subject: string, expiresAtMs: number): void {
    if (this.now() < expiresAtMs) this.entries.set(token, { subject, expiresAtMs });
  }
}
