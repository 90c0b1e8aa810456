import * as z from 'zod';
import { hasUndecodablePunycodeLabel, hostOfUrl } from '@docuthinker/config';
import { BIDI_CONTROLS, hasVisibleText, textField } from '@docuthinker/contracts';
import { SOCIAL_NETWORKS, THEMES, withAsciiDomain, withCanonicalDomain } from '@docuthinker/stores';
import { normalizedPassword } from '../auth/password-hashing';

export const MIN_PASSWORD_LENGTH = 8;
/** argon2 hashes any length, but an unbounded password is a cheap CPU attack. */
const MAX_PASSWORD_LENGTH = 256;

/** With the `u` flag, a surrogate that is half of a pair is read as part of its character. */
const LONE_SURROGATE = /\p{Cs}/u;

// The format is stated on the side clients send: a pipe documents only its
// input, and the address check is the pipe's second half.
// An international domain ("user@exämple.com") is checked in the ASCII form
// DNS uses and stored with its domain in canonical Unicode form; its account answers to either spelling
// (emailKey). Found in an exploratory test: it was refused as no address.
// A local part outside ASCII ("josé@") still is: not every mail server
// takes one (SMTPUTF8).
/**
 * zod's address check wants a top-level domain of letters; an
 * internationalised one is punycode ("пример.рф" is "xn--e1afmkfd.xn--p1ai"),
 * checked as a label of letters in its place (found in a test: refused).
 */
function withLetterTld(address: string): string {
  return address.replace(/\.xn--[a-z0-9-]+$/i, '.xn');
}

const email = z
  .string()
  .trim()
  .max(254)
  .meta({ format: 'email' })
  .pipe(
    z
      .string()
      .refine(
        (address) =>
          z.email().safeParse(withLetterTld(withAsciiDomain(address))).success &&
          // As typed, NFKC-folded ("ｘｎ--" is "xn--"): Node 20 decoded
          // "xn--abc-" to "abc" on the way to ASCII (another domain), Node 24
          // refuses it (exploratory test; review).
          !hasUndecodablePunycodeLabel(
            address.slice(address.lastIndexOf('@') + 1).normalize('NFKC'),
          ),
        { error: 'must be an email address' },
      )
      .transform(withCanonicalDomain),
  );
const newPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(MAX_PASSWORD_LENGTH)
  // Eight spaces met the length and guarded nothing; so did eight NULs,
  // zero-width spaces or bidirectional controls (exploratory test).
  .refine(hasVisibleText, {
    error: 'must hold something other than white space and invisible characters',
  })
  // Half of a surrogate pair is no character: hashed as UTF-8 it became
  // U+FFFD, so every such password matched any other of the same shape.
  .refine((password) => !LONE_SURROGATE.test(password), {
    error: 'must be well-formed Unicode text (no unpaired surrogate)',
  })
  // Counted again as it is hashed: `e` and a combining accent four times
  // met the length above and hashed as four characters.
  .refine((password) => [...normalizedPassword(password)].length >= MIN_PASSWORD_LENGTH, {
    error: `must be at least ${MIN_PASSWORD_LENGTH} characters`,
  });

export const registerBody = z.object({ email, password: newPassword }).strict();
export const loginBody = z
  .object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(256) })
  .strict();

export const userSummary = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
});

export const sessionResponse = z.object({
  user: userSummary,
  accessToken: z.string(),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
});

const socialLink = z.string().max(500).describe('An http(s) URL');
export const socialMedia = z.object(
  Object.fromEntries(SOCIAL_NETWORKS.map((network) => [network, socialLink.optional()])) as Record<
    (typeof SOCIAL_NETWORKS)[number],
    z.ZodOptional<typeof socialLink>
  >,
);

/**
 * Whether the host the URL parser reads decodes. zod's check does not always
 * agree with the parser (Node 20 threw on "xn%2D%2Da.example.com" after it
 * passed): what cannot be read is refused.
 */
function parsedHostDecodes(link: string): boolean {
  let host: string;
  try {
    host = new URL(link).hostname;
  } catch {
    return false;
  }
  return !hasUndecodablePunycodeLabel(host);
}

/**
 * A user name or password before the host: "https://github.com@evil.example"
 * reads as a GitHub link and goes to evil.example (exploratory test).
 */
function namesCredentials(link: string): boolean {
  const { username, password } = new URL(link);
  return username !== '' || password !== '';
}

/** A bidirectional control: "\u202e" made a link display backwards (exploratory test). */
const BIDI_CONTROL = new RegExp(BIDI_CONTROLS.source, 'u');

/**
 * A social link as PATCH /api/me takes it. It is free text like every other
 * field (well-formed, NUL replaced, so the stores keep what was sent), and
 * then an http(s) URL: clients render it as a link, where `javascript:` or
 * `data:` would run script. A blank value removes the link, as `null` does,
 * instead of storing "".
 */
const socialLinkUpdate = textField()
  .trim()
  .max(500)
  .transform((link) => (link === '' ? null : link))
  .pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL', abort: true })
      // Node 24's URL parser keeps a host with an undecodable "xn--" label
      // that Node 20's refused (exploratory test): refused on both.
      // As written and as the parser read it ("xn%2D%2Da", a backslash for a slash).
      .refine((link) => !hasUndecodablePunycodeLabel(hostOfUrl(link)) && parsedHostDecodes(link), {
        error: 'must be an http or https URL',
        abort: true,
      })
      .refine((link) => !namesCredentials(link), {
        error: 'must not name a user or password before the host',
      })
      .refine((link) => !BIDI_CONTROL.test(link), {
        error: 'must not hold bidirectional control characters',
      })
      .nullable(),
  )
  .nullable()
  .optional()
  .describe('An http(s) URL; null or a blank string removes the link, absent keeps it');

export const profileResponse = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
  daysSinceJoined: z.number().int(),
  documentCount: z.number().int(),
  theme: z.enum(THEMES),
  socialMedia,
});

export const profileUpdateBody = z
  .object({
    theme: z.enum(THEMES).optional(),
    socialMedia: z
      .object(
        Object.fromEntries(SOCIAL_NETWORKS.map((network) => [network, socialLinkUpdate])) as Record<
          (typeof SOCIAL_NETWORKS)[number],
          typeof socialLinkUpdate
        >,
      )
      .strict()
      .optional(),
  })
  .strict();

export const passwordChangeBody = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword })
  .strict();
