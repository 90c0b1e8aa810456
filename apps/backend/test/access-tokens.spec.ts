import { decodeJwt } from 'jose';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  createAccessTokens,
  firstValidIssuedAt,
} from '../src/auth/access-tokens';

const SECRET = 'access-token-test-secret-0123456789abcdef';
const START_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Tokens on a clock the test moves; verified tokens are cached, which must not outlive expiry. */
function tokensAt(clock: { nowMs: number }, secret = SECRET) {
  return createAccessTokens(secret, { now: () => clock.nowMs });
}

describe('access tokens', () => {
  it('verifies its own token, again from the cache, until the moment it expires', async () => {
    const clock = { nowMs: START_MS };
    const tokens = tokensAt(clock);
    const { accessToken, expiresIn } = await tokens.issue('user-1');
    expect(expiresIn).toBe(ACCESS_TOKEN_TTL_SECONDS);

    expect((await tokens.verify(accessToken))?.userId).toBe('user-1');
    clock.nowMs = START_MS + ACCESS_TOKEN_TTL_SECONDS * 1000 - 1;
    expect((await tokens.verify(accessToken))?.userId).toBe('user-1');
    clock.nowMs = START_MS + ACCESS_TOKEN_TTL_SECONDS * 1000;
    expect(await tokens.verify(accessToken)).toBeNull();
    // Still refused on the next call: the expired entry is gone, and full
    // verification refuses the token on its own.
    expect(await tokens.verify(accessToken)).toBeNull();
  });

  it('knows a subject without verifying only for a token that verified and has not expired', async () => {
    const clock = { nowMs: START_MS };
    const tokens = tokensAt(clock);
    const { accessToken } = await tokens.issue('user-1');
    // Issued is not verified: the first request still checks it in full.
    expect(tokens.verified(accessToken)).toBeUndefined();
    expect(tokens.verified('not.a.token')).toBeUndefined();
    expect(await tokens.verify('not.a.token')).toBeNull();
    expect(tokens.verified('not.a.token')).toBeUndefined();

    expect((await tokens.verify(accessToken))?.userId).toBe('user-1');
    expect(tokens.verified(accessToken)?.userId).toBe('user-1');
    clock.nowMs = START_MS + ACCESS_TOKEN_TTL_SECONDS * 1000;
    expect(tokens.verified(accessToken)).toBeUndefined();
  });

  it('refuses a token whose signature was altered after the genuine one was cached', async () => {
    const clock = { nowMs: START_MS };
    const tokens = tokensAt(clock);
    const { accessToken } = await tokens.issue('user-1');
    expect((await tokens.verify(accessToken))?.userId).toBe('user-1');

    const [header, payload, signature = ''] = accessToken.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await tokens.verify(`${header}.${payload}.${flipped}`)).toBeNull();
    const otherSubject = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        sub: 'user-2',
      }),
    ).toString('base64url');
    expect(await tokens.verify(`${header}.${otherSubject}.${signature}`)).toBeNull();
  });

  it('refuses, and never remembers, a valid token spelled with characters jose would skip', async () => {
    const clock = { nowMs: START_MS };
    const tokens = tokensAt(clock);
    const { accessToken } = await tokens.issue('user-1');
    expect((await tokens.verify(accessToken))?.userId).toBe('user-1');
    const [header, payload, signature = ''] = accessToken.split('.');
    for (const respelled of [
      `${accessToken}!!!`,
      `${accessToken},`,
      `${accessToken}==`,
      `${header}.${payload}.${signature.slice(0, 10)}*${signature.slice(10)}`,
    ]) {
      expect({ respelled, verified: await tokens.verify(respelled) }).toEqual({
        respelled,
        verified: null,
      });
      expect(tokens.verified(respelled)).toBeUndefined();
    }
    expect(tokens.verified(accessToken)?.userId).toBe('user-1');
  });

  it('refuses a token signed with another secret', async () => {
    const clock = { nowMs: START_MS };
    const { accessToken } = await tokensAt(clock, `${SECRET}-other`).issue('user-1');
    expect(await tokensAt(clock).verify(accessToken)).toBeNull();
  });

  it('refuses an expired token on an instance that never cached it', async () => {
    const clock = { nowMs: START_MS };
    const { accessToken } = await tokensAt(clock).issue('user-1');
    clock.nowMs = START_MS + (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;
    // A different instance (another replica) never cached it: full verification refuses it.
    expect(await tokensAt(clock).verify(accessToken)).toBeNull();
  });

  it('issues a token in the second of a password change only once that second has passed', async () => {
    const clock = { nowMs: START_MS + 300 };
    const waited: number[] = [];
    const tokens = createAccessTokens(SECRET, {
      now: () => clock.nowMs,
      wait: async (ms) => {
        waited.push(ms);
        clock.nowMs += ms;
      },
    });
    const changedAt = new Date(START_MS + 200);
    // Tokens of that second, before or after the change, are refused (LiveAccounts) ...
    expect(firstValidIssuedAt(changedAt)).toBe(START_MS / 1000 + 1);
    expect(firstValidIssuedAt(null)).toBe(0);
    // ... so one asked for in it waits for the next, rather than being dated
    // ahead (a second change in that second would not refuse it).
    const { accessToken } = await tokens.issue('user-1', changedAt);
    expect(waited).toEqual([700]);
    const claims = decodeJwt(accessToken);
    expect(claims.iat).toBe(START_MS / 1000 + 1);
    expect(claims.exp).toBe(START_MS / 1000 + 1 + ACCESS_TOKEN_TTL_SECONDS);
    expect(await tokens.verify(accessToken)).toEqual({
      userId: 'user-1',
      issuedAtSeconds: START_MS / 1000 + 1,
    });
    // Without a change, or after its second, at once.
    await tokens.issue('user-1');
    await tokens.issue('user-1', changedAt);
    expect(waited).toEqual([700]);
  });
});
