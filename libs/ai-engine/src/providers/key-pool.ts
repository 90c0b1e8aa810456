/**
 * A pool of API keys for one provider (`KEY1,KEY2,…`), handed out
 * round-robin. A key that hit its quota cools down while the others serve.
 */
export class KeyPool {
  private readonly keys: readonly string[];
  private readonly coolingUntil = new Map<string, number>();
  private next = 0;

  constructor(
    keys: string | readonly string[],
    private readonly defaultCooldownMs = 60000,
    private readonly now: () => number = Date.now,
  ) {
    const list = typeof keys === 'string' ? keys.split(',') : keys;
    this.keys = list.map((key) => key.trim()).filter((key) => key.length > 0);
    if (this.keys.length === 0) throw new Error('a key pool needs at least one key');
  }

  get size(): number {
    return this.keys.length;
  }

  /** The next key that is not cooling down, or the one that recovers first. */
  take(): string {
    const now = this.now();
    for (let offset = 0; offset < this.keys.length; offset += 1) {
      const index = (this.next + offset) % this.keys.length;
      const key = this.keys[index] as string;
      if ((this.coolingUntil.get(key) ?? 0) <= now) {
        this.next = index + 1;
        return key;
      }
    }
    return [...this.keys].sort(
      (a, b) => (this.coolingUntil.get(a) ?? 0) - (this.coolingUntil.get(b) ?? 0),
    )[0] as string;
  }

  coolDown(key: string, durationMs?: number): void {
    this.coolingUntil.set(key, this.now() + (durationMs ?? this.defaultCooldownMs));
  }
}

/** Runs a call with the pool's next key; a key answered with 429 cools down. */
export async function withPooledKey<T>(
  pool: KeyPool,
  call: (key: string) => Promise<T>,
): Promise<T> {
  const key = pool.take();
  try {
    return await call(key);
  } catch (error) {
    const failure = error as { kind?: string; retryAfterMs?: number };
    if (failure.kind === 'rate-limited') pool.coolDown(key, failure.retryAfterMs);
    throw error;
  }
}
