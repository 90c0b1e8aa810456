import { retryDelayMs } from '../src/outbox/retry-delay';

describe('retryDelayMs', () => {
  it('doubles the ceiling per attempt up to the maximum, scaled by the jitter draw', () => {
    const top = { random: () => 1 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, { ...top, baseMs: 100 }))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(retryDelayMs(30, { ...top, baseMs: 1000, maxMs: 60_000 })).toBe(60_000);
    expect(retryDelayMs(1000, { ...top })).toBe(5 * 60 * 1000);
  });

  it('spreads delays over the whole interval (full jitter)', () => {
    expect(retryDelayMs(3, { baseMs: 100, random: () => 0 })).toBe(0);
    expect(retryDelayMs(3, { baseMs: 100, random: () => 0.5 })).toBe(200);
    const samples = Array.from({ length: 200 }, () => retryDelayMs(5, { baseMs: 100 }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1600);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('treats attempts below one as the first', () => {
    expect(retryDelayMs(0, { baseMs: 100, random: () => 1 })).toBe(100);
  });
});
