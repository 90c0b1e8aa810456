import { domainToASCII, domainToUnicode } from 'node:url';

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * An address with its domain in the ASCII form DNS uses (IDNA: "exämple.com"
 * is "xn--exmple-cua.com"), so that either spelling of an international
 * domain names one account; the address as written otherwise.
 */
export function withAsciiDomain(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0 || !NON_ASCII.test(email.slice(at + 1))) return email;
  const domain = domainToASCII(email.slice(at + 1));
  return domain === '' ? email : `${email.slice(0, at)}@${domain}`;
}

/**
 * An address with an international domain as it is kept and shown: the
 * domain in its canonical Unicode form, so that "exämple。com" (an
 * ideographic full stop, which IDNA reads as a dot) is kept as
 * "exämple.com" (review); the address as given otherwise.
 */
export function withCanonicalDomain(email: string): string {
  const ascii = withAsciiDomain(email);
  if (ascii === email) return email;
  const at = ascii.lastIndexOf('@');
  return `${ascii.slice(0, at)}@${domainToUnicode(ascii.slice(at + 1))}`;
}

/** The form of an email address that uniqueness and lookups compare. */
export function emailKey(email: string): string {
  return withAsciiDomain(email.trim().normalize('NFKC')).toLowerCase();
}
