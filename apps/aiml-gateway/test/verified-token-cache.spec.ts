import { SignJWT } from 'jose';
import { CredentialError } from '../src/auth/bearer-credentials';
import type { Principal } from '../src/auth/principal';
import { cacheVerifiedTokens } from '../src/plugins/verified-token-cache';

const SERVICE: Principal = { kind: 'service' };

function countingVerifier(accept: (token: string) => Principal | undefined) {
  const calls: string[] = [];
  const verify = async (token: string): Promise<Principal> => {
    calls.push(token);
    const principal = accept(token);
    if (!principal) throw new CredentialError('refused');
    return principal;
  };
  return { verify, calls };
}

const jwtExpiringAt = (seconds: number) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setExpirationTime(seconds)
    .sign(new TextEncoder().encode('cache-test-secret-0123456789abcdef'));

describe('cacheVerifiedTokens', () => {
  it('verifies a token once and answers the next requests synchronously', async () => {
    const { verify, calls } = countingVerifier((token) => (token === 'svc' ? SERVICE : undefined));
    const cached = cacheVerifiedTokens(verify);
    await expect(cached('svc')).resolves.toEqual(SERVICE);
    expect(cached('svc')).toEqual(SERVICE);
    expect(cached('svc')).toEqual(SERVICE);
    expect(calls).toEqual(['svc']);
  });

  it('never remembers a refused token', async () => {
    const { verify, calls } = countingVerifier(() => undefined);
    const cached = cacheVerifiedTokens(verify);
    await expect(cached('bad')).rejects.toBeInstanceOf(CredentialError);
    await expect(cached('bad')).rejects.toBeInstanceOf(CredentialError);
    expect(calls).toEqual(['bad', 'bad']);
  });

  it('verifies again after the time to live', async () => {
    let clock = 1_000_000;
    const { verify, calls } = countingVerifier(() => SERVICE);
    const cached = cacheVerifiedTokens(verify, { ttlMs: 100, now: () => clock });
    await cached('svc');
    clock += 99;
    expect(cached('svc')).toEqual(SERVICE);
    clock += 1;
    await cached('svc');
    expect(calls).toEqual(['svc', 'svc']);
  });

  it('never reuses a JWT past its own exp, however long the time to live', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await jwtExpiringAt(exp);
    let clock = exp * 1000 - 1000;
    const user: Principal = { kind: 'user', ownerId: 'alice' };
    const { verify, calls } = countingVerifier(() => user);
    const cached = cacheVerifiedTokens(verify, { ttlMs: 3_600_000, now: () => clock });
    await cached(token);
    expect(cached(token)).toEqual(user);
    clock = exp * 1000;
    await cached(token);
    expect(calls).toHaveLength(2);
  });

  it('keeps at most maxEntries tokens, dropping the oldest', async () => {
    const { verify, calls } = countingVerifier(() => SERVICE);
    const cached = cacheVerifiedTokens(verify, { maxEntries: 2 });
    await cached('a');
    await cached('b');
    await cached('c');
    expect(cached('c')).toEqual(SERVICE);
    expect(cached('b')).toEqual(SERVICE);
    await cached('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
