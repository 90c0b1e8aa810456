import { LRUCache } from 'lru-cache';
import type { Logger } from '@docuthinker/runtime';

/**
 * How long a user's tokens-valid-from, once read, is used without reading it
 * again: the longest a token the backend revoked (a password change, a
 * deleted account) is still let through here while Redis answers. The
 * backend's own LiveAccounts has the same bound across its replicas.
 */
export const REVOCATION_FRESH_MS = 5_000;
const MAX_USERS = 10_000;

/** Where the backend publishes revocations: `RedisTokensValidFrom`, or `LibsqlTokensValidFrom` on one machine. */
export interface TokensValidFromSource {
  /** The second from which the user's tokens are valid; undefined when none were revoked. */
  read(userId: string): Promise<number | undefined>;
}

export interface TokenRevocationCheckOptions {
  /** Absent in tests of the gateway alone: nothing is revoked that this process could see. */
  readonly source?: TokensValidFromSource;
  /** Told once when the source stops answering, and once when it is back. */
  readonly logger: Pick<Logger, 'warn' | 'info'>;
  readonly freshForMs?: number;
  /** Users remembered at most; the least recently used goes first. */
  readonly maxUsers?: number;
  /** Milliseconds; tests move it past the freshness bound. */
  readonly now?: () => number;
}

interface SeenValidFrom {
  readonly validFromSeconds: number;
  readonly freshUntilMs: number;
}

/**
 * Whether a user token's issue time is still accepted: not before the second
 * the backend published for its subject. A user's value is remembered for
 * `freshForMs` (counted from when its read began, so a revocation written
 * after that read is seen within the bound), so a caller's requests cost a
 * map lookup and answer synchronously; a user's first request, and the first
 * after the bound, waits for one read, shared by the requests that arrive
 * meanwhile.
 *
 * While the source does not answer, the gateway keeps serving on signature
 * checks alone, as its AI call limits count in process meanwhile: a value
 * read before the outage still holds, a user never read has none. That is
 * logged once per outage, not per request.
 */
export class TokenRevocationCheck {
  private readonly source: TokensValidFromSource | undefined;
  private readonly logger: Pick<Logger, 'warn' | 'info'>;
  private readonly freshForMs: number;
  private readonly now: () => number;
  private readonly seen: LRUCache<string, SeenValidFrom>;
  private readonly reading = new Map<string, Promise<number>>();
  private sourceDown = false;

  constructor({
    source,
    logger,
    freshForMs = REVOCATION_FRESH_MS,
    maxUsers = MAX_USERS,
    now = Date.now,
  }: TokenRevocationCheckOptions) {
    this.source = source;
    this.logger = logger;
    this.freshForMs = freshForMs;
    this.now = now;
    this.seen = new LRUCache({ max: maxUsers });
  }

  /** True or false at once when the user's value is fresh; otherwise once it has been read. */
  accepts(ownerId: string, issuedAtSeconds: number): boolean | Promise<boolean> {
    const known = this.acceptsKnown(ownerId, issuedAtSeconds);
    if (known !== undefined) return known;
    return this.validFrom(ownerId).then((validFromSeconds) => issuedAtSeconds >= validFromSeconds);
  }

  /** The answer without reading; undefined means "read first", not "refused". */
  acceptsKnown(ownerId: string, issuedAtSeconds: number): boolean | undefined {
    if (!this.source) return true;
    const seen = this.seen.get(ownerId);
    if (seen === undefined || this.now() >= seen.freshUntilMs) return undefined;
    return issuedAtSeconds >= seen.validFromSeconds;
  }

  private validFrom(ownerId: string): Promise<number> {
    let pending = this.reading.get(ownerId);
    if (!pending) {
      pending = this.read(ownerId).finally(() => this.reading.delete(ownerId));
      this.reading.set(ownerId, pending);
    }
    return pending;
  }

  private async read(ownerId: string): Promise<number> {
    const startedAtMs = this.now();
    let validFromSeconds: number;
    try {
      validFromSeconds = (await this.source?.read(ownerId)) ?? 0;
      if (this.sourceDown) {
        this.sourceDown = false;
        this.logger.info(
          'the token revocation record answers again: revocations are honoured again',
        );
      }
    } catch (error) {
      if (!this.sourceDown) {
        this.sourceDown = true;
        this.logger.warn(
          { error: (error as Error).message },
          "the token revocation record (redis, or the data directory's file) does not answer: revocations (password changes, deleted accounts) are not seen until it does; user tokens are checked on their signature alone",
        );
      }
      validFromSeconds = this.seen.get(ownerId)?.validFromSeconds ?? 0;
    }
    this.seen.set(ownerId, { validFromSeconds, freshUntilMs: startedAtMs + this.freshForMs });
    return validFromSeconds;
  }
}
