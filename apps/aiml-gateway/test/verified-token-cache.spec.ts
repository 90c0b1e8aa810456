import { SignJWT } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';
import { CredentialError, createBearerVerifier } from '../src/auth/bearer-credentials';
import type { Principal } from '../src/auth/principal';
import { cacheVerifiedTokens, type RevocationCheck } from '../src/plugins/verified-token-cache';

const SERVICE: Principal = { kind: 'service' };
const ALICE: Principal = { kind: 'user', ownerId: 'alice', issuedAtSeconds: 1_000 };

/** Revocations as the check answers them: `validFrom` per owner, known at once or only after a read. */
function scriptedRevocations(validFrom: Record<string, number>, { known = true } = {}) {
  const asked: string[] = [];
  const accepts = (ownerId: string, issuedAtSeconds: number) =>
    issuedAtSeconds >= (validFrom[ownerId] ?? 0);
  const revocations: RevocationCheck = {
    accepts(ownerId, issuedAtSeconds) {
      asked.push(ownerId);
      return known
        ? accepts(ownerId, issuedAtSeconds)
        : Promise.resolve(accepts(ownerId, issuedAtSeconds));
    },
    acceptsKnown: (ownerId, issuedAtSeconds) =>
      known ? accepts(ownerId, issuedAtSeconds) : undefined,
  };
  return { revocations, asked };
}

const nothingRevoked = () => scriptedRevocations({}).revocations;

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
    const cached = cacheVerifiedTokens(verify, nothingRevoked());
    await expect(cached('svc')).resolves.toEqual(SERVICE);
    expect(cached('svc')).toEqual(SERVICE);
    expect(cached('svc')).toEqual(SERVICE);
    expect(calls).toEqual(['svc']);
  });

  it('never remembers a refused token', async () => {
    const { verify, calls } = countingVerifier(() => undefined);
    const cached = cacheVerifiedTokens(verify, nothingRevoked());
    await expect(cached('bad')).rejects.toBeInstanceOf(CredentialError);
    await expect(cached('bad')).rejects.toBeInstanceOf(CredentialError);
    expect(calls).toEqual(['bad', 'bad']);
  });

  it('verifies again after the time to live', async () => {
    let clock = 1_000_000;
    const { verify, calls } = countingVerifier(() => SERVICE);
    const cached = cacheVerifiedTokens(verify, nothingRevoked(), { ttlMs: 100, now: () => clock });
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
    const user = ALICE;
    const { verify, calls } = countingVerifier(() => user);
    const cached = cacheVerifiedTokens(verify, nothingRevoked(), {
      ttlMs: 3_600_000,
      now: () => clock,
    });
    await cached(token);
    expect(cached(token)).toEqual(user);
    clock = exp * 1000;
    await cached(token);
    expect(calls).toHaveLength(2);
  });

  it('keeps at most maxEntries tokens, dropping the oldest', async () => {
    const { verify, calls } = countingVerifier(() => SERVICE);
    const cached = cacheVerifiedTokens(verify, nothingRevoked(), { maxEntries: 2 });
    await cached('a');
    await cached('b');
    await cached('c');
    expect(cached('c')).toEqual(SERVICE);
    expect(cached('b')).toEqual(SERVICE);
    await cached('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('puts a remembered user token to the revocation check on every call', async () => {
    const validFrom: Record<string, number> = {};
    const { revocations, asked } = scriptedRevocations(validFrom);
    const { verify, calls } = countingVerifier(() => ALICE);
    const cached = cacheVerifiedTokens(verify, revocations);
    await expect(cached('alice-token')).resolves.toEqual(ALICE);
    expect(cached('alice-token')).toEqual(ALICE);
    expect(cached.known('alice-token')).toEqual(ALICE);

    // The backend revokes the tokens issued before second 1001: the
    // signature check is still remembered, the token is refused all the same.
    validFrom['alice'] = 1_001;
    expect(() => cached('alice-token')).toThrow(CredentialError);
    expect(cached.known('alice-token')).toBeUndefined();
    expect(calls).toEqual(['alice-token']);
    expect(asked).toEqual(['alice', 'alice', 'alice']);
  });

  it('waits for a revocation read it does not know yet, and never answers it from memory', async () => {
    const { revocations } = scriptedRevocations({ alice: 1_001 }, { known: false });
    const { verify } = countingVerifier(() => ALICE);
    const cached = cacheVerifiedTokens(verify, revocations);
    await expect(cached('alice-token')).rejects.toBeInstanceOf(CredentialError);
    const again = cached('alice-token');
    expect(again).toBeInstanceOf(Promise);
    await expect(again).rejects.toThrow(/revoked/);
    expect(cached.known('alice-token')).toBeUndefined();
  });

  // Found in review: jose took a valid token with characters outside
  // base64url added, so one token could push every other out of the cache.
  it('never remembers another spelling of a valid token, so respellings cannot evict it', async () => {
    const jwtSecret = 'cache-test-secret-0123456789abcdef';
    // Not base64url: the service token is compared as it is, not as a JWT.
    const serviceToken = 'service+token/with=padding';
    const verify = createBearerVerifier({ serviceToken, jwtSecret });
    const cached = cacheVerifiedTokens(verify, nothingRevoked(), { maxEntries: 2 });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 300)
      .sign(new TextEncoder().encode(jwtSecret));
    await expect(cached(token)).resolves.toMatchObject({ kind: 'user', ownerId: 'alice' });
    await expect(cached(serviceToken)).resolves.toEqual(SERVICE);
    const [header, payload, signature = ''] = token.split('.');
    for (const respelled of [
      `${token}!!!`,
      `${token},`,
      `${token}==`,
      `${header}.${payload}.${signature.slice(0, 10)}*${signature.slice(10)}`,
      `${serviceToken}!!!`,
    ]) {
      await expect(Promise.resolve().then(() => cached(respelled))).rejects.toThrow(
        'the token is neither the service token nor a valid access token',
      );
      expect(cached.known(respelled)).toBeUndefined();
    }
    expect(cached.known(token)).toMatchObject({ kind: 'user', ownerId: 'alice' });
    expect(cached.known(serviceToken)).toEqual(SERVICE);
  });

  it('answers the service token without asking about revocations', async () => {
    const { revocations, asked } = scriptedRevocations({}, { known: false });
    const { verify } = countingVerifier(() => SERVICE);
    const cached = cacheVerifiedTokens(verify, revocations);
    await cached('svc');
    expect(cached('svc')).toEqual(SERVICE);
    expect(cached.known('svc')).toEqual(SERVICE);
    expect(asked).toEqual([]);
  });
});
