import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, type Stores } from '@docuthinker/stores';
import { createAccessTokens, type AccessTokens } from '../src/auth/access-tokens';
import { LiveAccounts } from '../src/auth/live-accounts';
import type { PasswordHashing } from '../src/auth/password-hashing';
import { UNPUBLISHED_TOKEN_REVOCATIONS } from '../src/auth/token-revocations';
import { AccountService } from '../src/services/account-service';
import { InvalidCredentialsError, WrongCurrentPasswordError } from '../src/services/service-errors';

const CLIENT_IP = '203.0.113.7';
const FIRST_PASSWORD = 'first password';

/** A promise the test resolves when it wants the request under test to go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Cheap salted "hashes" (every hash of one password differs, as argon2's
 * do), with a hook the test sets to run another request at the moment a
 * request under test is hashing or verifying: between its read of the
 * account and its write or its answer.
 */
class ScriptedPasswords implements PasswordHashing {
  private salt = 0;
  /** Runs, once, while the next password is hashed. */
  whileHashing: ((password: string) => Promise<void>) | undefined;
  /** Runs, once, while the next password is verified. */
  whileVerifying: (() => Promise<void>) | undefined;

  async hash(password: string): Promise<string> {
    const hook = this.whileHashing;
    this.whileHashing = undefined;
    await hook?.(password);
    this.salt += 1;
    return `hash:${this.salt}:${password}`;
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    const hook = this.whileVerifying;
    this.whileVerifying = undefined;
    await hook?.();
    return passwordHash.replace(/^hash:\d+:/, '') === password;
  }
}

/**
 * A password change commits while another request on the same account is
 * between its read and its answer: a login with the old password must not
 * come out with a token that outlives the change, and of two changes only
 * the one that landed may answer that it did.
 */
describe('password changes racing logins and each other', () => {
  let dataDir: string;
  let stores: Stores;
  let nowMs: number;
  let passwords: ScriptedPasswords;
  let tokens: AccessTokens;
  let liveAccounts: LiveAccounts;
  let accounts: AccountService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-password-races-'));
    // One clock for the store's change times and the tokens' issue times, on a whole second.
    nowMs = Math.floor(Date.now() / 1000) * 1000;
    stores = await createStores({ dataDir, clock: () => new Date(nowMs) });
    passwords = new ScriptedPasswords();
    tokens = createAccessTokens('password-races-secret-0123456789abcdef', { now: () => nowMs });
    liveAccounts = new LiveAccounts(stores.users);
    accounts = new AccountService(
      stores,
      passwords,
      tokens,
      stores.cache,
      liveAccounts,
      UNPUBLISHED_TOKEN_REVOCATIONS,
      stores.rateLimiters,
    );
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function register(name: string): Promise<{ id: string; email: string }> {
    const { user } = await accounts.register(`${name}@example.com`, FIRST_PASSWORD, CLIENT_IP);
    return user;
  }

  /** Whether the session's token opens the account, as the authentication middleware asks. */
  async function opens(accessToken: string): Promise<boolean> {
    const access = await tokens.verify(accessToken);
    return access !== null && (await liveAccounts.accepts(access));
  }

  it('refuses a login whose old password was checked while the change landed', async () => {
    const user = await register('login-during-change');
    passwords.whileVerifying = async () => {
      nowMs += 10_000;
      expect(await accounts.changePassword(user.id, FIRST_PASSWORD, 'second password')).toBe(true);
      // The token would be issued a whole second after the change: not "before" it.
      nowMs += 1_000;
    };

    const login = await accounts
      .login(user.email, FIRST_PASSWORD, CLIENT_IP)
      .catch((error: unknown) => error);

    expect(login).toBeInstanceOf(InvalidCredentialsError);
    const again = await accounts.login(user.email, 'second password', CLIENT_IP);
    expect(await opens(again.accessToken)).toBe(true);
    await expect(accounts.login(user.email, FIRST_PASSWORD, CLIENT_IP)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('answers the later of two concurrent changes as a wrong current password and keeps the first', async () => {
    const user = await register('two-changes');
    const hashing = gate();
    const proceed = gate();
    passwords.whileHashing = async () => {
      hashing.open();
      await proceed.opened;
    };
    // Checked the current password, now hashing its new one.
    const slower = accounts.changePassword(user.id, FIRST_PASSWORD, 'password from the slower');
    await hashing.opened;
    nowMs += 1_000;
    expect(await accounts.changePassword(user.id, FIRST_PASSWORD, 'password from the faster')).toBe(
      true,
    );
    proceed.open();

    await expect(slower).rejects.toBeInstanceOf(WrongCurrentPasswordError);
    nowMs += 1_000;
    const signedIn = await accounts.login(user.email, 'password from the faster', CLIENT_IP);
    expect(await opens(signedIn.accessToken)).toBe(true);
    await expect(
      accounts.login(user.email, 'password from the slower', CLIENT_IP),
    ).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('answers a change whose account was erased before it could write as a missing account', async () => {
    const user = await register('change-during-erasure');
    passwords.whileHashing = async () => {
      await stores.users.delete(user.id);
    };

    await expect(accounts.changePassword(user.id, FIRST_PASSWORD, 'second password')).resolves.toBe(
      false,
    );
  });
});
