import { hash, verify } from '@node-rs/argon2';

export interface PasswordHashing {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/**
 * argon2id, the library's default algorithm (its `Algorithm` is an ambient
 * const enum, unusable under isolatedModules), with its default cost.
 */
export const argon2idPasswords: PasswordHashing = {
  hash: (password) => hash(password),
  verify: async (passwordHash, password) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};

/**
 * A hash of a password nobody has: login verifies against it when the email
 * is unknown, so both failures take the same time and do not reveal which
 * emails have accounts.
 */
export async function createDecoyHash(passwords: PasswordHashing): Promise<string> {
  return passwords.hash(`decoy-${Math.random()}-${Date.now()}`);
}
