import {
  emailKey,
  eraseAccount,
  type CacheStore,
  type RateLimiterFactory,
  type SocialMedia,
  type Stores,
  type Theme,
  type UserProfileUpdate,
  type UserRecord,
} from '@docuthinker/stores';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessTokens } from '../auth/access-tokens';
import type { LiveAccounts } from '../auth/live-accounts';
import { createDecoyHash, type PasswordHashing } from '../auth/password-hashing';
import type { TokenRevocations } from '../auth/token-revocations';
import { clientNetwork } from './client-network';
import { eraseOwnerCaches, signInAddressesPrefix, trustedAddressKey } from './owner-cache-keys';
import {
  InvalidCredentialsError,
  RateLimitedError,
  WrongCurrentPasswordError,
} from './service-errors';

export interface AccountSession {
  user: { id: string; email: string; createdAt: Date };
  accessToken: string;
  expiresIn: number;
}

export interface Profile {
  id: string;
  email: string;
  createdAt: Date;
  daysSinceJoined: number;
  documentCount: number;
  theme: Theme;
  socialMedia: SocialMedia;
}

/**
 * Attempts allowed per window; credential stuffing is slowed per address and
 * per account. `perEmail` counts an account's attempts from addresses it has
 * not signed in from (see TRUSTED_ADDRESS_DAYS), and, separately, from each
 * address; password changes count per account on their own.
 */
export interface LoginLimits {
  perIp: { points: number; windowSeconds: number };
  perEmail: { points: number; windowSeconds: number };
}

/**
 * How long an address an account signed in from stays exempt from the
 * account-wide login limit. Anyone can spend that limit by failing to log in
 * as someone else, five requests a quarter of an hour; the account's owner
 * then still signs in from where they did before (with that address's own
 * allowance), so the limit slows guessing without locking the owner out.
 */
const TRUSTED_ADDRESS_DAYS = 30;

export const LOGIN_LIMIT_WINDOW_SECONDS = 15 * 60;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perIp: { points: 30, windowSeconds: LOGIN_LIMIT_WINDOW_SECONDS },
  perEmail: { points: 5, windowSeconds: LOGIN_LIMIT_WINDOW_SECONDS },
};

/** Sign-ups allowed per client address per window: each one costs a full password hash. */
export interface RegistrationLimit {
  points: number;
  windowSeconds: number;
}

export const DEFAULT_REGISTRATION_LIMIT: RegistrationLimit = { points: 20, windowSeconds: 60 * 60 };

const DAY_MS = 24 * 60 * 60 * 1000;

export type AccountStores = Pick<
  Stores,
  'users' | 'documents' | 'chatSessions' | 'files' | 'outbox'
>;

/**
 * How long a gateway index request accepted with a token just before it
 * expired may still take to land: the gateway's request timeout (300 s, the
 * body may arrive slowly) plus indexing, rounded up generously. Also covers
 * a login that read the user just before the erasure removed it.
 */
const LATE_INDEX_WRITE_SECONDS = 10 * 60;

export class AccountService {
  private readonly loginPerIp;
  private readonly loginPerEmail;
  private readonly loginPerEmailAndAddress;
  private readonly passwordChangesPerAccount;
  private readonly registrationsPerIp;
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly stores: AccountStores,
    private readonly passwords: PasswordHashing,
    private readonly tokens: AccessTokens,
    private readonly cache: CacheStore,
    private readonly liveAccounts: LiveAccounts,
    /** Tells the gateway, which browsers reach directly, what LiveAccounts refuses here. */
    private readonly revocations: TokenRevocations,
    rateLimiters: RateLimiterFactory,
    limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    registrationLimit: RegistrationLimit = DEFAULT_REGISTRATION_LIMIT,
  ) {
    this.loginPerIp = rateLimiters.create({ name: 'login-ip', ...limits.perIp });
    this.loginPerEmail = rateLimiters.create({ name: 'login-email', ...limits.perEmail });
    this.loginPerEmailAndAddress = rateLimiters.create({
      name: 'login-email-ip',
      ...limits.perEmail,
    });
    // A stolen access token must not become an unlimited password oracle,
    // and failed logins by others must not keep the owner from changing it.
    this.passwordChangesPerAccount = rateLimiters.create({
      name: 'password-change',
      ...limits.perEmail,
    });
    this.registrationsPerIp = rateLimiters.create({ name: 'register-ip', ...registrationLimit });
  }

  /**
   * Throws `RateLimitedError` once the address has used its sign-ups (before
   * any hashing), `EmailTakenError` (from the store) when the email has an account.
   */
  async register(email: string, password: string, clientIp: string): Promise<AccountSession> {
    const client = clientNetwork(clientIp);
    const allowance = await this.registrationsPerIp.consume(client);
    if (!allowance.allowed) throw new RateLimitedError(allowance.retryAfterMs);
    const user = await this.stores.users.create({
      email,
      passwordHash: await this.passwords.hash(password),
    });
    const session = await this.sessionFor(user);
    // The sign-up proved the password from here as a login does: without
    // this, others spending the account-wide limit kept a new account's
    // owner out until a first login succeeded.
    await this.trustAddress(emailKey(email), client);
    return session;
  }

  async login(email: string, password: string, clientIp: string): Promise<AccountSession> {
    // The store's own form of the address: every spelling that reaches one
    // account (case, full-width letters) shares that account's allowance.
    const limitKey = emailKey(email);
    const client = clientNetwork(clientIp);
    const addressKey = `${limitKey}\n${client}`;
    // Looked up by email, before the account is read: one cache read whether
    // the account exists or not, and no store read for an attempt the limits
    // refuse.
    const trusted = await this.isTrusted(limitKey, client, clientIp);
    const allowances = await Promise.all([
      this.loginPerIp.consume(client),
      this.loginPerEmailAndAddress.consume(addressKey),
      // From an address the account signed in from, the account-wide limit
      // others may have spent does not apply (see TRUSTED_ADDRESS_DAYS).
      ...(trusted ? [] : [this.loginPerEmail.consume(limitKey)]),
    ]);
    if (allowances.some((allowance) => !allowance.allowed)) {
      throw new RateLimitedError(
        Math.max(...allowances.map((allowance) => allowance.retryAfterMs)),
      );
    }
    const user = await this.stores.users.findByEmail(email);
    const hashToCheck = user?.passwordHash ?? (await this.decoy());
    const matches = await this.passwords.verify(hashToCheck, password);
    if (!user || !matches) throw new InvalidCredentialsError();
    const session = await this.sessionFor(user);
    // The hash was read before the slow verification, and a password change
    // may have committed since; a token issued after it would outlive it
    // (LiveAccounts refuses only tokens issued before the change). So the
    // account is read again, after the token is issued: a change seen here
    // refuses the login, the password checked being no longer the account's;
    // one that commits later ends the token like every session signed in
    // before it (its `iat` is at most the change's second, which
    // firstValidIssuedAt refuses). One read on successful logins only.
    const current = await this.stores.users.findById(user.id);
    if (
      current?.passwordHash !== user.passwordHash ||
      current.tokensValidFrom?.getTime() !== user.tokensValidFrom?.getTime()
    ) {
      throw new InvalidCredentialsError();
    }
    // The account-wide count is not reset, only this attempt given back: the
    // owner signing in would give whoever guesses from elsewhere a fresh
    // allowance each time.
    // Nor is the address's: a sign-in is no guess, and everyone behind one
    // address (an office's NAT, a campus /64) shares its count.
    await Promise.all([
      ...(trusted ? [] : [this.loginPerEmail.refund(limitKey)]),
      this.loginPerIp.refund(client),
      this.loginPerEmailAndAddress.reset(addressKey),
      this.trustAddress(limitKey, client),
    ]);
    return session;
  }

  /**
   * Whether the account signed in from this client in the last
   * TRUSTED_ADDRESS_DAYS. Entries written before addresses were counted by
   * network (an IPv6 /64, an IPv4-mapped address as IPv4) are under the
   * address as it came, so that key is read too while they last: without it
   * their owners lost the exemption the entry gave (review).
   */
  private async isTrusted(limitKey: string, client: string, clientIp: string): Promise<boolean> {
    const keys = [trustedAddressKey(limitKey, client)];
    if (clientIp !== client) keys.push(trustedAddressKey(limitKey, clientIp));
    const entries = await Promise.all(keys.map((key) => this.cache.get<unknown>(key)));
    return entries.some((entry) => entry === true);
  }

  /** Exempts the address from the account-wide login limit (see TRUSTED_ADDRESS_DAYS). */
  private async trustAddress(limitKey: string, client: string): Promise<void> {
    await this.cache.set(
      trustedAddressKey(limitKey, client),
      true,
      TRUSTED_ADDRESS_DAYS * 24 * 60 * 60 * 1000,
    );
  }

  /** The account's profile, read fresh; null when the account is gone. */
  async profile(userId: string): Promise<Profile | null> {
    const user = await this.stores.users.findById(userId);
    return user ? this.profileOf(user) : null;
  }

  private async profileOf(user: UserRecord): Promise<Profile> {
    return {
      id: user.id,
      email: user.email,
      createdAt: user.createdAt,
      daysSinceJoined: Math.floor((Date.now() - user.createdAt.getTime()) / DAY_MS),
      documentCount: await this.stores.documents.count(user.id),
      theme: user.theme,
      socialMedia: user.socialMedia,
    };
  }

  async updateProfile(userId: string, update: UserProfileUpdate): Promise<Profile | null> {
    const updated = await this.stores.users.updateProfile(userId, update);
    return updated ? this.profileOf(updated) : null;
  }

  /**
   * False when the account is gone; checks the current password against the
   * stored hash. A change signs out every session, the caller's included:
   * tokens issued before it are refused. Guesses count against a limit of
   * the account's own (a stolen access token must not become an unlimited
   * password oracle), which failed logins by others do not spend. Throws
   * `WrongCurrentPasswordError` too when another change landed between the
   * check and the write: that change stands, and this one did not happen.
   */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<boolean> {
    const user = await this.stores.users.findById(userId);
    if (!user) return false;
    const allowance = await this.passwordChangesPerAccount.consume(user.id);
    if (!allowance.allowed) throw new RateLimitedError(allowance.retryAfterMs);
    if (!(await this.passwords.verify(user.passwordHash, currentPassword))) {
      throw new WrongCurrentPasswordError();
    }
    await this.passwordChangesPerAccount.reset(user.id);
    // Only over the hash just checked: an unconditional write would let the
    // later of two concurrent changes silently undo the earlier one, whose
    // client was told its new password works.
    const changed = await this.stores.users.setPasswordHash(user.id, {
      from: user.passwordHash,
      to: await this.passwords.hash(newPassword),
    });
    if (!changed) {
      // Nothing written: the account is gone, or another change replaced the hash first.
      if (await this.stores.users.findById(user.id)) throw new WrongCurrentPasswordError();
      return false;
    }
    // Every session signed in before ends here at once (elsewhere within seconds).
    this.liveAccounts.forget(user.id);
    await this.revocations.passwordChanged(user.id);
    return true;
  }

  /**
   * Documents leave delete jobs in the outbox, which removes their index
   * entries; purge jobs remove whatever else the user indexed at the gateway.
   */
  async deleteAccount(userId: string): Promise<void> {
    const account = await this.stores.users.findById(userId);
    this.liveAccounts.forget(userId);
    await eraseAccount(this.stores, userId, {
      lateIndexWritesWithinMs: (ACCESS_TOKEN_TTL_SECONDS + LATE_INDEX_WRITE_SECONDS) * 1000,
    });
    // Again after the erasure: a request that confirmed the account while it
    // was being erased must not keep it alive.
    this.liveAccounts.forget(userId);
    await this.revocations.accountDeleted(userId);
    // Listing pages and AI results derived from the user's texts go too, and
    // the addresses the account signed in from. A cache out of reach now
    // leaves the first to the purge jobs, which retry until they hold; the
    // addresses, keyed by the email the purge does not know, then expire
    // with their TTL.
    await eraseOwnerCaches(this.cache, userId);
    if (account) await this.cache.deleteByPrefix(signInAddressesPrefix(emailKey(account.email)));
  }

  private async sessionFor(user: UserRecord): Promise<AccountSession> {
    const token = await this.tokens.issue(user.id, user.tokensValidFrom);
    return {
      user: { id: user.id, email: user.email, createdAt: user.createdAt },
      ...token,
    };
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= createDecoyHash(this.passwords);
    return this.decoyHash;
  }
}
