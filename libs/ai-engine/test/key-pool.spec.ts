import {
  KeyPool,
  MAX_COOLDOWN_MS,
  MIN_COOLDOWN_MS,
  QUARANTINE_MS,
  withPooledKey,
  type KeyQuarantineEvent,
} from '../src/providers/key-pool';
import { AttemptTimedOut, withTimeoutReason } from '../src/providers/attempt-timeout';
import { ProviderError } from '../src/providers/provider-error';

/** A pool whose clients are their keys, on a clock the test moves. */
function poolOf(keys: string) {
  const clock = { now: 0 };
  const events: KeyQuarantineEvent[] = [];
  const pool = new KeyPool('openai', keys, (key) => key, {
    now: () => clock.now,
    onQuarantine: (event) => events.push(event),
  });
  return { pool, clock, events };
}

const rateLimited = (retryAfterMs?: number) =>
  new ProviderError('openai', 'rate-limited', 'HTTP 429', 429, { retryAfterMs });
const refused = () => new ProviderError('openai', 'auth', 'HTTP 401', 401);

describe('KeyPool', () => {
  it('hands keys out round-robin', () => {
    const { pool } = poolOf('a, b ,c');
    expect([1, 2, 3, 4].map(() => pool.take()?.client)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('cools a key down for its Retry-After, bounded to a minute', () => {
    const { pool, clock } = poolOf('a');
    const key = pool.take();
    if (!key) throw new Error('no key');

    pool.coolDown(key, 3_600_000);
    clock.now = MAX_COOLDOWN_MS - 1;
    expect(pool.take()).toBeUndefined();
    clock.now = MAX_COOLDOWN_MS;
    expect(pool.take()?.client).toBe('a');

    pool.coolDown(key, 2000);
    clock.now += 1999;
    expect(pool.available).toBe(0);
    clock.now += 1;
    expect(pool.available).toBe(1);
  });

  it('rests a key at least a second when the provider says to retry at once', () => {
    const { pool, clock } = poolOf('a');
    const key = pool.take();
    if (!key) throw new Error('no key');
    pool.coolDown(key, 0);
    clock.now = MIN_COOLDOWN_MS - 1;
    expect(pool.available).toBe(0);
    clock.now = MIN_COOLDOWN_MS;
    expect(pool.available).toBe(1);
  });

  it('tries each key once per call, even when their rests end while it runs', async () => {
    const { pool, clock } = poolOf('a,b,c');
    const tried: string[] = [];
    const call = withPooledKey(pool, async (key) => {
      tried.push(key);
      // Each 429 takes longer to arrive than the shortest rest.
      clock.now += MIN_COOLDOWN_MS + 1;
      throw rateLimited(0);
    });
    await expect(call).rejects.toMatchObject({ kind: 'rate-limited', retryable: false });
    expect(tried).toEqual(['a', 'b', 'c']);
  });

  it('moves on to the next key after a 429 or a 401 within one call', async () => {
    const { pool, events } = poolOf('limited,revoked,good');
    const tried: string[] = [];
    const answer = await withPooledKey(pool, async (key) => {
      tried.push(key);
      if (key === 'limited') throw rateLimited(5000);
      if (key === 'revoked') throw refused();
      return `served by ${key}`;
    });
    expect(answer).toBe('served by good');
    expect(tried).toEqual(['limited', 'revoked', 'good']);
    expect(pool.available).toBe(1);
    expect(events).toEqual([
      {
        provider: 'openai',
        key: 'key 2 of 3',
        status: 401,
        quarantineMs: QUARANTINE_MS,
      },
    ]);
  });

  // Found in an exploratory test: the last key's own Retry-After was reported.
  it('says the pool can be asked again when its first key rests no more', async () => {
    const { pool } = poolOf('soon,late');
    const hints: Record<string, number | undefined> = { soon: 3000, late: 40_000 };
    await expect(
      withPooledKey(pool, async (key) => {
        throw rateLimited(hints[key]);
      }),
    ).rejects.toMatchObject({ kind: 'rate-limited', retryable: false, retryAfterMs: 3000 });
    // Without a Retry-After each key rests the longest, and so does the pool.
    const { pool: silent } = poolOf('a,b');
    await expect(
      withPooledKey(silent, async () => {
        throw rateLimited(undefined);
      }),
    ).rejects.toMatchObject({ retryAfterMs: MAX_COOLDOWN_MS });
  });

  it('sends nothing while every key rests, and says when one comes back', async () => {
    const { pool, clock } = poolOf('only');
    let calls = 0;
    const call = async () => {
      calls += 1;
      throw rateLimited(3000);
    };
    await expect(withPooledKey(pool, call)).rejects.toMatchObject({
      kind: 'rate-limited',
      retryable: false,
    });
    clock.now = 1000;
    await expect(withPooledKey(pool, call)).rejects.toMatchObject({
      kind: 'cooling-down',
      retryable: false,
      countsAgainstHealth: false,
      retryAfterMs: 2000,
    });
    expect(calls).toBe(1);
  });

  it('quarantines a refused key for an hour and reports it once per quarantine', async () => {
    const { pool, clock, events } = poolOf('revoked');
    const call = async () => {
      throw refused();
    };
    await expect(withPooledKey(pool, call)).rejects.toMatchObject({ kind: 'auth' });
    await expect(withPooledKey(pool, call)).rejects.toMatchObject({ kind: 'cooling-down' });
    expect(events).toHaveLength(1);

    clock.now = QUARANTINE_MS;
    await expect(withPooledKey(pool, call)).rejects.toMatchObject({ kind: 'auth' });
    expect(events).toHaveLength(2);
  });
});

describe('a call that hung until its attempt timed out', () => {
  /** Runs one call whose keys in `hanging` hang until the attempt's signal aborts with `reason`. */
  const callHanging = (
    pool: KeyPool<string>,
    hanging: readonly string[],
    reason: unknown = new AttemptTimedOut(),
    before: (key: string) => void = () => undefined,
  ) => {
    const attempt = new AbortController();
    return withPooledKey(
      pool,
      async (key) => {
        before(key);
        if (!hanging.includes(key)) return key;
        attempt.abort(reason);
        throw new Error('aborted by the SDK');
      },
      attempt.signal,
    ).catch(() => undefined);
  };

  it('rests the key for 30 s when the pool has another, so the next calls skip it', async () => {
    const { pool, clock } = poolOf('a,b');
    await callHanging(pool, ['a']);
    expect([1, 2].map(() => pool.take()?.client)).toEqual(['b', 'b']);
    clock.now = 30_000;
    expect(pool.take()?.client).toBe('a');
  });

  it('rests nothing when the caller left or the deadline cut the attempt short', async () => {
    for (const signal of [
      new AbortController(),
      withTimeoutReason(AbortSignal.abort(), { judgesKey: false }),
    ]) {
      const { pool } = poolOf('a,b');
      const reason =
        signal instanceof AbortController ? new Error('the caller left') : signal.reason;
      await callHanging(pool, ['a'], reason);
      expect(pool.available).toBe(2);
    }
  });

  it('rests nothing when no other key is in rotation, or when it was not the first key asked', async () => {
    const alone = poolOf('a,b');
    await withPooledKey(alone.pool, async (key) => {
      if (key === 'a') throw refused();
      return key;
    });
    // 'a' is quarantined; 'b' hangs and is the only key left in rotation.
    await callHanging(alone.pool, ['b']);
    expect(alone.pool.take()?.client).toBe('b');

    const second = poolOf('a,b');
    await callHanging(second.pool, ['b'], new AttemptTimedOut(), (key) => {
      if (key === 'a') throw rateLimited(5000);
    });
    second.clock.now = 5000;
    expect(second.pool.available).toBe(2);
  });
});
