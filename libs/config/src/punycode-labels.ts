import { domainToUnicode } from 'node:url';

const NON_ASCII = /[^\p{ASCII}]/u;
/** The full stop and the three IDNA reads as one (ideographic, full-width, half-width). */
const LABEL_SEPARATORS = /[.\u3002\uff0e\uff61]/u;

/**
 * Whether a host name has a label in the ASCII form of an international name
 * ("xn--…") that does not decode to one: no browser or mail server sends it.
 * Node 20's URL parser refused most such hosts, Node 24's (the images'
 * release) keeps them, and domainToUnicode answers '' (Node 20), the label
 * unchanged (Node 24) or, for `xn--abc-` on Node 20, plain ASCII, which IDNA
 * does not allow either: whatever it answers, a label without a character
 * outside ASCII did not decode. Checked here so that every release answers
 * the same (found running the suites, and an exploratory test, on Node 24).
 */
export function hasUndecodablePunycodeLabel(host: string): boolean {
  return host.split(LABEL_SEPARATORS).some((label) => {
    if (!label.toLowerCase().startsWith('xn--')) return false;
    return !NON_ASCII.test(domainToUnicode(label));
  });
}

/**
 * The host of an absolute URL as written (`scheme://[user@]host[:port]…`), or
 * ''. A backslash ends the authority, as URL parsers read one in an http(s)
 * URL. Percent-escapes are not decoded: a caller that takes the URL also
 * checks the host its parser read.
 */
export function hostOfUrl(value: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(value)?.[1] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? '' : host.replace(/:\d*$/, '');
}
