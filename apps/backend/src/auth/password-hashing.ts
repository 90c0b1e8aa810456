import { hash, verify } from '@node-rs/argon2';

export interface PasswordHashing {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/**
 * The form a password is hashed in: Unicode's NFKC, as NIST SP 800-63B
 * advises, so `é` typed as one character or as `e` and a combining accent,
 * and full-width digits from an input method, are the same password.
 */
export function normalizedPassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Marks a hash of the normalized password. A hash without it was made from
 * the password as sent, before normalization, and is checked that way: each
 * login verifies once, whichever kind the account holds (trying both forms
 * would let any guess that normalization changes cost two hashes).
 */
const NORMALIZED_HASH_PREFIX = 'nfkc:';

async function argon2idMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * argon2id, the library's default algorithm (its `Algorithm` is an ambient
 * const enum, unusable under isolatedModules), with its default cost, over
 * the normalized password.
 */
export const argon2idPasswords: PasswordHashing = {
  hash: async (password) => NORMALIZED_HASH_PREFIX + (await hash(normalizedPassword(password))),
  verify: (passwordHash, password) =>
    passwordHash.startsWith(NORMALIZED_HASH_PREFIX)
      ? argon2idMatches(
          passwordHash.slice(NORMALIZED_HASH_PREFIX.length),
          normalizedPassword(password),
        )
      : argon2idMatches(passwordHash, password),
};

/**
 * A hash of a password nobody has: login verifies against it when the email
 * is unknown, so both failures take the same time and do not reveal which
 * emails have accounts.
 */
export async function createDecoyHash(passwords: PasswordHashing): Promise<string> {
  return passwords.hash(`decoy-${Math.random()}-${Date.now()}`);
}
