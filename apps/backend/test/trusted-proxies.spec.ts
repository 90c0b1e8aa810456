import express from 'express';
import { trustedProxies } from '@docuthinker/runtime';

/** Whose X-Forwarded-For Express believes, as both services configure it (the gateway's Fastify reads the same list). */
function trusts(nodeEnv: 'production' | 'development' | 'test' | undefined, peer: string): boolean {
  const app = express();
  app.set('trust proxy', trustedProxies(nodeEnv));
  const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  return trust(peer, 0);
}

describe('trusted proxies', () => {
  it("believes the load balancer's private addresses in production", () => {
    expect(trusts('production', '10.0.12.7')).toBe(true);
    expect(trusts('production', '172.16.3.4')).toBe(true);
    expect(trusts('production', '127.0.0.1')).toBe(true);
    expect(trusts('production', '203.0.113.7')).toBe(false);
  });

  it('believes only this machine elsewhere: a LAN peer of `npm start` cannot name its own address', () => {
    for (const nodeEnv of ['development', 'test', undefined] as const) {
      expect(trusts(nodeEnv, '127.0.0.1')).toBe(true);
      expect(trusts(nodeEnv, '::1')).toBe(true);
      expect(trusts(nodeEnv, '192.168.1.20')).toBe(false);
      expect(trusts(nodeEnv, '10.88.0.1')).toBe(false);
    }
  });
});
