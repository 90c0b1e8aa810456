import { hash } from '@node-rs/argon2';
import { argon2idPasswords } from '../src/auth/password-hashing';

describe('argon2id password hashing over the NFKC form', () => {
  it('matches a password however its characters were composed, and nothing else', async () => {
    const stored = await argon2idPasswords.hash('Ma\u00f1ana 2\u2075');
    expect(stored).toMatch(/^nfkc:\$argon2id\$/);
    expect(await argon2idPasswords.verify(stored, 'Man\u0303ana 25')).toBe(true);
    expect(await argon2idPasswords.verify(stored, 'Manana 25')).toBe(false);
  });

  it('checks a hash made before normalization against the password as sent, as before', async () => {
    const decomposed = 'cafe\u0301 au lait';
    const hashedAsSent = await hash(decomposed);
    expect(await argon2idPasswords.verify(hashedAsSent, decomposed)).toBe(true);
    // Only the form it was hashed in: no second hash for another form.
    expect(await argon2idPasswords.verify(hashedAsSent, 'caf\u00e9 au lait')).toBe(false);
    expect(await argon2idPasswords.verify(hashedAsSent, 'cafe au lait')).toBe(false);
  });

  it('answers false for a hash it cannot read', async () => {
    expect(await argon2idPasswords.verify('not a hash', 'whatever it is')).toBe(false);
    expect(await argon2idPasswords.verify('nfkc:not a hash', 'whatever it is')).toBe(false);
  });
});
