import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, emailKey, type Stores } from '@docuthinker/stores';
import { createAccessTokens } from '../src/auth/access-tokens';
import { LiveAccounts } from '../src/auth/live-accounts';
import type { PasswordHashing } from '../src/auth/password-hashing';
import { UNPUBLISHED_TOKEN_REVOCATIONS } from '../src/auth/token-revocations';
import {
  AccountService,
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_REGISTRATION_LIMIT,
} from '../src/services/account-service';
import { trustedAddressKey } from '../src/services/owner-cache-keys';
import {
  InvalidCredentialsError,
  RateLimitedError,
  WrongCurrentPasswordError,
} from '../src/services/service-errors';

const OWNER_HOME = '198.51.100.10';
const ATTACKER = '203.0.113.66';
const ELSEWHERE = '192.0.2.44';
const PASSWORD = 'the owner password';

/** Plain-text "hashes": these tests are about the limits, not the hashing. */
const plainPasswords: PasswordHashing = {
  hash: async (password) => `plain:${password}`,
  verify: async (hash, password) => hash === `plain:${password}`,
};

// Found by a review: five failed logins from anywhere locked the account's
// owner out of signing in, and of changing the password even with a valid
// session, for a quarter of an hour, again and again.
describe('login limits that slow guessing without locking the owner out', () => {
  let dataDir: string;
  let stores: Stores;
  let accounts: AccountService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-login-lockout-'));
    stores = await createStores({ dataDir });
    accounts = new AccountService(
      stores,
      plainPasswords,
      createAccessTokens('login-lockout-secret-0123456789abcdef'),
      stores.cache,
      new LiveAccounts(stores.users),
      UNPUBLISHED_TOKEN_REVOCATIONS,
      stores.rateLimiters,
    );
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Fails `times` logins as the owner from `address`; returns how many were refused as limited. */
  async function failLogins(email: string, address: string, times: number): Promise<number> {
    let limited = 0;
    for (let attempt = 0; attempt < times; attempt += 1) {
      const failure = await accounts.login(email, 'a wrong guess', address).catch((error) => error);
      if (failure instanceof RateLimitedError) limited += 1;
      else expect(failure).toBeInstanceOf(InvalidCredentialsError);
    }
    return limited;
  }

  it('lets the owner sign in from an address it signed in from after others spent the account limit', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 5)).toBe(0);
    // The attacker's guesses stop at the account limit, from any address of theirs...
    expect(await failLogins('owner@example.com', ATTACKER, 1)).toBe(1);
    expect(await failLogins('owner@example.com', ELSEWHERE, 1)).toBe(1);
    // ...and the owner, at home, still signs in.
    const session = await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    expect(session.user.id).toBe(user.id);
  });

  // Found by an exploratory test: a new account's owner, never signed in
  // since the sign-up, was kept out by five failed logins from anywhere.
  it('lets the owner sign in from the address it signed up from after others spent the account limit', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 6)).toBe(1);
    const session = await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    expect(session.user.id).toBe(user.id);
  });

  it('still limits guesses from the owner address on their own', async () => {
    await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', OWNER_HOME, 6)).toBe(1);
    await expect(accounts.login('owner@example.com', PASSWORD, OWNER_HOME)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('trusts an address only once the account signed in from it, never for a wrong password', async () => {
    await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    // Never signed in from here: the account-wide limit applies.
    expect(await failLogins('owner@example.com', ELSEWHERE, 6)).toBe(1);
    await expect(accounts.login('owner@example.com', PASSWORD, ELSEWHERE)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('lets the owner change the password with a valid session whatever others failed', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 6)).toBe(1);
    expect(await accounts.changePassword(user.id, PASSWORD, 'a new password 1')).toBe(true);
  });

  it('limits guesses of the current password per account, a stolen session being no oracle', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(
        accounts.changePassword(user.id, 'a wrong guess', 'a new password 1'),
      ).rejects.toBeInstanceOf(WrongCurrentPasswordError);
    }
    await expect(
      accounts.changePassword(user.id, PASSWORD, 'a new password 1'),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('does not give guessers a fresh allowance whenever the owner signs in', async () => {
    await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 4)).toBe(0);
    await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ELSEWHERE, 2)).toBe(1);
  });

  it('answers an unknown email as a known one, and refuses it at the same count', async () => {
    await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 6)).toBe(1);
    expect(await failLogins('nobody@example.com', ATTACKER, 6)).toBe(1);
  });

  // Found in review: the per-address limits counted each IPv6 address on its
  // own, and a client owns a whole /64 of them.
  it('counts an IPv6 client by its /64, so changing the last bits buys no more guesses', async () => {
    const inOneNetwork = (host: number) => `2001:db8:a:b:${host.toString(16)}::1`;
    let limited = 0;
    for (let host = 0; host < DEFAULT_LOGIN_LIMITS.perIp.points + 1; host += 1) {
      limited += await failLogins(`someone-${host}@example.com`, inOneNetwork(host), 1);
    }
    expect(limited).toBe(1);
    // The next /64 is another client, with its own allowance.
    expect(await failLogins('someone-0@example.com', '2001:db8:a:c::1', 1)).toBe(0);
  });

  it('counts sign-ups from one IPv6 /64 together', async () => {
    const sameNetwork = (n: number) => `2001:db8:a:b::${(n + 1).toString(16)}`;
    for (let n = 0; n < DEFAULT_REGISTRATION_LIMIT.points; n += 1) {
      await accounts.register(`new-${n}@example.com`, PASSWORD, sameNetwork(n));
    }
    await expect(
      accounts.register('one-more@example.com', PASSWORD, sameNetwork(99)),
    ).rejects.toBeInstanceOf(RateLimitedError);
    await accounts.register('one-more@example.com', PASSWORD, '2001:db8:a:c::1');
  });

  it('still trusts an IPv6 address the account signed in from before addresses were counted by /64', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    const formerHome = '2001:db8:a:b::7';
    // As the build before wrote it: under the whole address.
    await stores.cache.set(
      trustedAddressKey(emailKey('owner@example.com'), formerHome),
      true,
      60_000,
    );
    expect(await failLogins('owner@example.com', ATTACKER, 6)).toBe(1);
    const session = await accounts.login('owner@example.com', PASSWORD, formerHome);
    expect(session.user.id).toBe(user.id);
  });

  // Found in review: everyone behind one address (a NAT, an IPv6 /64) shared
  // thirty sign-ins a quarter of an hour, successful ones included.
  it('does not count successful sign-ins against the address', async () => {
    await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    for (let login = 0; login < DEFAULT_LOGIN_LIMITS.perIp.points + 5; login += 1) {
      await accounts.login('owner@example.com', PASSWORD, OWNER_HOME);
    }
    // Failures still count.
    let limited = 0;
    for (let attempt = 0; attempt < DEFAULT_LOGIN_LIMITS.perIp.points + 1; attempt += 1) {
      limited += await failLogins(`guess-${attempt}@example.com`, OWNER_HOME, 1);
    }
    expect(limited).toBe(1);
  });

  it('knows an IPv4 address again when it arrives IPv4-mapped', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    expect(await failLogins('owner@example.com', ATTACKER, 6)).toBe(1);
    const session = await accounts.login('owner@example.com', PASSWORD, `::ffff:${OWNER_HOME}`);
    expect(session.user.id).toBe(user.id);
  });

  it('forgets the addresses an account signed in from when the account is erased', async () => {
    const { user } = await accounts.register('owner@example.com', PASSWORD, OWNER_HOME);
    await accounts.login('Owner@Example.com', PASSWORD, OWNER_HOME);
    const key = trustedAddressKey(emailKey('owner@example.com'), OWNER_HOME);
    // Kept as digests: neither the email nor the address is in the key.
    expect(key).not.toContain(OWNER_HOME);
    expect(key).not.toContain('owner');
    expect(await stores.cache.get(key)).toBe(true);
    await accounts.deleteAccount(user.id);
    expect(await stores.cache.get(key)).toBeUndefined();
  });
});
