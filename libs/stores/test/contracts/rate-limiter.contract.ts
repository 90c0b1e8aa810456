import { randomUUID } from 'node:crypto';
import type { RateLimiterFactory } from '@docuthinker/runtime/rate-limits';
import { setTimeout as sleep } from 'node:timers/promises';

export function rateLimiterContract(factory: () => RateLimiterFactory): void {
  describe('RateLimiter contract', () => {
    const rule = () => ({ name: `login-${randomUUID()}`, points: 3, windowSeconds: 60 });

    it('allows the configured number of requests per key, then refuses with a retry time', async () => {
      const limiter = factory().create(rule());
      const decisions = [];
      for (let attempt = 0; attempt < 4; attempt += 1)
        decisions.push(await limiter.consume('ip-1'));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
      const refused = decisions[3];
      expect(refused?.retryAfterMs).toBeGreaterThan(55_000);
      expect(refused?.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect((await limiter.consume('ip-2')).allowed).toBe(true);
    });

    it('keeps limiters with different names apart, and reset forgets a key', async () => {
      const first = factory().create(rule());
      const second = factory().create(rule());
      for (let attempt = 0; attempt < 3; attempt += 1) await first.consume('user@example.com');
      expect((await first.consume('user@example.com')).allowed).toBe(false);
      expect((await second.consume('user@example.com')).allowed).toBe(true);
      await first.reset('user@example.com');
      expect((await first.consume('user@example.com')).allowed).toBe(true);
    });

    it('gives back a refunded point and keeps the rest of the count', async () => {
      const limiter = factory().create(rule());
      await limiter.consume('user@example.com');
      await limiter.consume('user@example.com');
      await limiter.refund('user@example.com');
      expect((await limiter.consume('user@example.com')).remaining).toBe(1);
      expect((await limiter.consume('user@example.com')).remaining).toBe(0);
      expect((await limiter.consume('user@example.com')).allowed).toBe(false);
    });

    it('never refunds below nothing: a key not counted gains no points', async () => {
      const limiter = factory().create(rule());
      await limiter.refund('nobody@example.com', 2);
      const decisions = [];
      for (let attempt = 0; attempt < 4; attempt += 1)
        decisions.push((await limiter.consume('nobody@example.com')).allowed);
      expect(decisions).toEqual([true, true, true, false]);
    });

    it('counts weighted requests', async () => {
      const limiter = factory().create(rule());
      expect((await limiter.consume('k', 2)).remaining).toBe(1);
      expect((await limiter.consume('k', 2)).allowed).toBe(false);
    });

    it('opens a new window after the old one ends', async () => {
      const limiter = factory().create({ name: `w-${randomUUID()}`, points: 1, windowSeconds: 1 });
      expect((await limiter.consume('k')).allowed).toBe(true);
      expect((await limiter.consume('k')).allowed).toBe(false);
      await sleep(1100);
      expect((await limiter.consume('k')).allowed).toBe(true);
    });
  });
}
