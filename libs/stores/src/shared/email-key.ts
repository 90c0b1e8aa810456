import { domainToASCII } from 'node:url';

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

/** The form of an email address that uniqueness and lookups compare. */
export function emailKey(email: string): string {
  return withAsciiDomain(email.trim().normalize('NFKC')).toLowerCase();
}
