import { timedOut } from './attempt-timeout';
import { ProviderError } from './provider-error';

/** Without a Retry-After, a key that hit its quota rests this long. */
export const DEFAULT_COOLDOWN_MS = 60_000;
/**
 * The shortest rest after a 429, whatever the provider said: `Retry-After: 0`
 * or a date in the past would otherwise hand the same key straight back.
 */
export const MIN_COOLDOWN_MS = 1_000;
/** A Retry-After is honoured up to this; a provider asking for an hour is not a reason to idle a key that long. */
export const MAX_COOLDOWN_MS = 60_000;
/**
 * A key whose call hung until its attempt ran out of time rests this long,
 * when the pool has others: round-robin would otherwise hand it every Nth
 * request, each paying a whole turn, while the others' answers keep the
 * circuit closed.
 */
export const TIMED_OUT_KEY_REST_MS = 30_000;
/** A key answered with 401/403 (revoked, wrong, no access) stays out of rotation this long. */
export const QUARANTINE_MS = 60 * 60_000;

/** Said once each time a key is taken out of rotation for answering 401/403. */
export interface KeyQuarantineEvent {
  readonly provider: string;
  /** Which key, without the key itself: `key 2 of 3`. */
  readonly key: string;
  readonly status?: number;
  /**
   * The API's error code (`invalid_api_key`), when it named a known one. Not
   * the provider's error text: a 401's echoes the key (`sk-…****7777`).
   */
  readonly code?: string;
  readonly quarantineMs: number;
}

export interface KeyPoolOptions {
  readonly onQuarantine?: (event: KeyQuarantineEvent) => void;
  readonly now?: () => number;
}

export interface PooledKey<C> {
  readonly label: string;
  readonly client: C;
  restingUntil: number;
  quarantined: boolean;
}

/**
 * The keys of a pool (`KEY1,KEY2,…`): trimmed, blanks dropped, each once. A
 * key listed twice would be handed out twice per round, and straight back
 * after its own 429 within the same call.
 */
export function parseKeyPool(keys: string | readonly string[]): string[] {
  return [
    ...new Set(
      (typeof keys === 'string' ? keys.split(',') : keys)
        .map((key) => key.trim())
        .filter((key) => key.length > 0),
    ),
  ];
}

/**
 * A pool of API keys for one provider (`KEY1,KEY2,…`), each with its SDK
 * client built once, handed out round-robin. A key that hit its quota cools
 * down for as long as the provider asked (bounded); a key the provider refuses
 * (401/403) is quarantined. Neither is handed out while it rests.
 */
export class KeyPool<C> {
  private readonly entries: readonly PooledKey<C>[];
  private readonly now: () => number;
  private next = 0;

  constructor(
    readonly provider: string,
    keys: string | readonly string[],
    createClient: (key: string) => C,
    private readonly options: KeyPoolOptions = {},
  ) {
    const list = parseKeyPool(keys);
    if (list.length === 0) throw new Error('a key pool needs at least one key');
    this.entries = list.map((key, index) => ({
      label: `key ${index + 1} of ${list.length}`,
      client: createClient(key),
      restingUntil: 0,
      quarantined: false,
    }));
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Keys that may be used now. */
  get available(): number {
    const now = this.now();
    return this.entries.filter((entry) => entry.restingUntil <= now).length;
  }

  /** The next key that is not resting (nor in `skip`), or undefined when there is none. */
  take(skip?: ReadonlySet<PooledKey<C>>): PooledKey<C> | undefined {
    const now = this.now();
    for (let offset = 0; offset < this.entries.length; offset += 1) {
      const index = (this.next + offset) % this.entries.length;
      const entry = this.entries[index] as PooledKey<C>;
      if (entry.restingUntil <= now && !skip?.has(entry)) {
        entry.quarantined = false;
        this.next = index + 1;
        return entry;
      }
    }
    return undefined;
  }

  /** Rests a key that answered 429, for the provider's Retry-After within [MIN_COOLDOWN_MS, MAX_COOLDOWN_MS]. */
  coolDown(entry: PooledKey<C>, retryAfterMs?: number): void {
    this.rest(
      entry,
      Math.min(Math.max(retryAfterMs ?? DEFAULT_COOLDOWN_MS, MIN_COOLDOWN_MS), MAX_COOLDOWN_MS),
    );
  }

  /** Whether a key other than `entry` is in rotation (not quarantined after 401/403). */
  hasAnotherUsable(entry: PooledKey<C>): boolean {
    return this.entries.some((other) => other !== entry && !other.quarantined);
  }

  /** Rests a key for `durationMs` (no longer than it already rests). */
  rest(entry: PooledKey<C>, durationMs: number): void {
    entry.restingUntil = Math.max(entry.restingUntil, this.now() + durationMs);
  }

  /** Takes a key the provider refused out of rotation, and says so once. */
  quarantine(entry: PooledKey<C>, failure: ProviderError): void {
    // Concurrent requests on the same key each see the 401; one notice is enough.
    if (entry.quarantined) return;
    entry.quarantined = true;
    entry.restingUntil = this.now() + QUARANTINE_MS;
    this.options.onQuarantine?.({
      provider: this.provider,
      key: entry.label,
      status: failure.status,
      ...(failure.code === undefined ? {} : { code: failure.code }),
      quarantineMs: QUARANTINE_MS,
    });
  }

  /** The failure to report when no key may be used: nothing is sent. */
  restingError(): ProviderError {
    const now = this.now();
    const soonest = Math.min(...this.entries.map((entry) => entry.restingUntil));
    return new ProviderError(
      this.provider,
      'cooling-down',
      `all ${this.entries.length} API key(s) are cooling down after 429 or a timeout, or quarantined after 401/403`,
      undefined,
      { retryAfterMs: Math.max(0, soonest - now) },
    );
  }
}

/**
 * Runs a call with the pool's next usable key. A key answered with 429 cools
 * down and one answered with 401/403 is quarantined; either way the call moves
 * on to the next usable key it has not tried yet. When none is left the
 * failure is final for this provider: retrying would only meet resting keys,
 * so it is marked not retryable and the chain fails over. A key whose call
 * hung until the attempt ran out of time (`signal`: its provider's timeout or
 * the end of its turn in the call's deadline, when that time was long enough
 * to judge the key by, see tellsOfKey) rests too, when the pool has another;
 * the next attempt or call gets the next key. A caller leaving rests nothing.
 */
export async function withPooledKey<C, T>(
  pool: KeyPool<C>,
  call: (client: C) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  // Each key once per call: a key whose rest ended while the others answered
  // is for the next request, not another lap of this one.
  const tried = new Set<PooledKey<C>>();
  for (;;) {
    const entry = pool.take(tried);
    if (!entry) throw pool.restingError();
    tried.add(entry);
    try {
      return await call(entry.client);
    } catch (error) {
      if (timedOut(signal)) {
        // Only the first key of the call had the attempt's whole time (one
        // asked after another's 429 got what that left), and a key whose pool
        // has no other usable one is left to the circuit breaker.
        if (tried.size === 1 && pool.hasAnotherUsable(entry))
          pool.rest(entry, TIMED_OUT_KEY_REST_MS);
        throw error;
      }
      if (!(error instanceof ProviderError)) throw error;
      if (error.kind === 'rate-limited') pool.coolDown(entry, error.retryAfterMs);
      else if (error.kind === 'auth') pool.quarantine(entry, error);
      else throw error;
      if (tried.size === pool.size || pool.available === 0) {
        // When the pool may be asked again is when its first key rests no
        // more, not what the last key said: 429s with Retry-After 3 and 40
        // answered 40, and two without one (a minute's rest each) 5 (review).
        // A single key's own hint is that time already, to the millisecond.
        const retryAfterMs =
          pool.size === 1 && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : pool.restingError().retryAfterMs;
        // A 429 does not count against the circuit: the keys' rest keeps
        // calls away for as long as the provider asked. Counted, a burst of
        // three 429s with Retry-After 1 s opened it for 30 s (review).
        throw error.withoutRetry(
          'no other API key is usable now',
          retryAfterMs,
          error.kind !== 'rate-limited',
        );
      }
    }
  }
}
