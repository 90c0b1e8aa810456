import { profileUpdateBody, registerBody } from '../src/api/account-schemas';

// Found running the services on Node 24, the images' release: its URL parser
// keeps a host with an "xn--" label that does not decode, where Node 20's
// threw, and Node 20 read "xn--abc-" as "abc" on the way to ASCII (another
// domain). Both are refused, on either release.
describe('hosts whose punycode does not decode', () => {
  const password = 'long enough';

  it('refuses an email address at such a domain, as typed or beside an international label', () => {
    for (const email of [
      'b@bücher.xn--abc-.com',
      'c@ü.xn--zz-.de',
      'a@xn--a.example.com',
      // Full-width, which IDNA reads as "xn--" (review).
      'a@ｘｎ--abc-.com',
      'a@bücher.ｘｎ--abc-.com',
    ]) {
      const parsed = registerBody.safeParse({ email, password });
      expect({ email, refused: !parsed.success }).toEqual({ email, refused: true });
    }
    for (const email of ['a@xn--bcher-kva.example', 'a@bücher.example', 'a@пример.рф']) {
      const parsed = registerBody.safeParse({ email, password });
      expect({ email, taken: parsed.success }).toEqual({ email, taken: true });
    }
  });

  it('refuses a social link to such a host, and takes one to an international host', () => {
    for (const link of [
      'http://xn--a.example.com/',
      // The host as the parser reads it: a backslash is a slash, escapes decoded (review).
      'https://xn--a.example.com\\@good.com/',
      'https://xn%2D%2Da.example.com/',
      'https://xn--.com/',
      'https://me@xn--abc-.org:8443/x',
    ]) {
      const parsed = profileUpdateBody.safeParse({ socialMedia: { linkedin: link } });
      expect({ link, refused: !parsed.success }).toEqual({ link, refused: true });
    }
    for (const link of ['https://xn--bcher-kva.example/me', 'https://bücher.example/me']) {
      const parsed = profileUpdateBody.safeParse({ socialMedia: { linkedin: link } });
      expect({ link, taken: parsed.success }).toEqual({ link, taken: true });
    }
  });
});
