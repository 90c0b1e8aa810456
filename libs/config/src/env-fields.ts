import * as z from 'zod';
import { hasUndecodablePunycodeLabel, hostOfUrl } from './punycode-labels';
import { paddingProblem } from './plain-secret';

/**
 * Documentation carried by every environment variable's schema. The README's
 * variable table is checked against it, and problem messages quote `expected`.
 */
export interface EnvVarDoc {
  /** What the variable controls. */
  description: string;
  /** A human description of an accepted value, quoted in error messages. */
  expected: string;
  /** The default as a user would write it, when there is one. */
  defaultValue?: string;
  /** Values that must never reach a log line or an error message. */
  secret?: boolean;
}

export const envVarDocs = z.registry<EnvVarDoc>();

export function documented<T extends z.ZodType>(schema: T, doc: EnvVarDoc): T {
  envVarDocs.add(schema, doc);
  return schema;
}

export const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export type UrlProtocol = `${string}:`;

/** A check that returns what is wrong with a value, as a problem phrase, or undefined. */
export type ValueCheck = (value: string) => string | undefined;

/** A string refined by `check`, reporting its phrase as the problem. */
export function checkedString(check: ValueCheck) {
  return z.string().check((ctx) => {
    const problem = check(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

export function urlProblem(value: string, protocols: readonly UrlProtocol[]): string | undefined {
  // The URL parser drops surrounding spaces (and tabs and line breaks
  // anywhere), but the text itself is what clients are given: with a
  // trailing space every gateway call failed to parse (found in review).
  if (/\s/.test(value)) return 'has white space in it';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL of the accepted kind';
  }
  if (!protocols.includes(url.protocol as UrlProtocol)) {
    return 'is not a valid URL of the accepted kind';
  }
  // redis:, neo4j:, bolt: are not schemes the URL parser knows, so `redis://`
  // parses with an empty host, which a driver takes as localhost or refuses
  // only when it first connects.
  if (url.hostname === '') return 'does not name a host';
  return undefined;
}

/** A URL whose scheme is one of `protocols`; optional because embedded defaults stand in. */
export function optionalUrl(protocols: UrlProtocol[], doc: Omit<EnvVarDoc, 'expected'>) {
  const expected = `a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  const schema = z.preprocess(
    blankToUndefined,
    checkedString((value) => urlProblem(value, protocols)).optional(),
  );
  return documented(schema, { ...doc, expected });
}

function originProblem(value: string): string | undefined {
  // `https://*.example.com` parses as a host named `*.example.com`: no browser sends it.
  if (value.includes('*')) return 'has a wildcard entry (CORS matches each origin exactly)';
  // Before the URL parser, whose answer for such a host depends on the Node release.
  if (hasUndecodablePunycodeLabel(hostOfUrl(value))) {
    return 'has an entry whose host has a label that is not valid punycode (xn--…)';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'has an entry that is not an origin URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'has an entry that is not an http:// or https:// origin';
  }
  if (url.origin === value) return undefined;
  const afterScheme = value.slice(value.indexOf('//') + 2);
  if (/[/?#]/.test(afterScheme)) {
    return 'has an entry with a path or a trailing slash (an origin is scheme://host[:port] only)';
  }
  if (afterScheme.includes('@')) return 'has an entry with credentials in it';
  return 'has an entry not written as browsers send it (lowercase, without its default port)';
}

/**
 * One browser origin, exactly as the Origin header carries it. CORS compares
 * origins as strings, so `https://app.example.com/` would never match and
 * the browser app would be refused with nothing in the logs.
 */
export function browserOrigin() {
  return checkedString(originProblem);
}

/** Names S3 keeps for its own features (access point aliases, directory buckets, …). */
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'is not 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'has characters other than lowercase letters, digits, dots and hyphens';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'does not start and end with a letter or digit';
  }
  if (name.includes('..')) return 'has two dots in a row';
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name)) return 'is formatted as an IP address';
  if (
    RESERVED_BUCKET_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
    RESERVED_BUCKET_SUFFIXES.some((suffix) => name.endsWith(suffix))
  ) {
    return 'uses a prefix or suffix that S3 reserves';
  }
  return undefined;
}

/**
 * An S3 general purpose bucket name. S3 itself would refuse a bad one only
 * at the first upload, long after start-up.
 */
export function optionalS3BucketName(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(bucketNameProblem).optional());
  return documented(schema, {
    ...doc,
    expected:
      'an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not an IP address',
  });
}

export function optionalSecret(doc: Omit<EnvVarDoc, 'expected' | 'secret'>, minLength = 1) {
  const expected =
    minLength > 1 ? `a secret of at least ${minLength} characters` : 'a non-empty secret';
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      .min(minLength, { error: `is shorter than ${minLength} characters` })
      .optional(),
  );
  return documented(schema, { ...doc, expected, secret: true });
}

/** Printable ASCII without spaces: what an API key sent in a header may hold. */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;

/**
 * An API key, or a comma-separated pool of keys rotated round-robin. A value
 * with no key between its commas (`","`) is refused here: it would pass as a
 * configured provider and fail every engine build after start-up.
 */
export function optionalKeyPool(doc: Omit<EnvVarDoc, 'expected' | 'secret'>) {
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => value.split(',').some((key) => key.trim().length > 0), {
        error: 'holds no key between its commas',
      })
      // A key is sent in a header: one with a space, a line break or a
      // non-ASCII character inside it made every call fail in the SDK before
      // it left, which the chain reported as the provider's unreadable answer.
      .superRefine((value, context) => {
        const keys = value.split(',').map((key) => key.trim());
        const unsendable = keys.findIndex((key) => key.length > 0 && !HEADER_TOKEN.test(key));
        if (unsendable >= 0) {
          context.addIssue({
            code: 'custom',
            message: `key ${unsendable + 1} of ${keys.length} holds a space, control or non-ASCII character, which an HTTP header cannot carry`,
          });
        }
      })
      .optional(),
  );
  return documented(schema, {
    ...doc,
    expected: 'a key, or several separated by commas',
    secret: true,
  });
}

/**
 * Text used as it is (a model name, a secret prefix): whitespace around it
 * would be part of it ("docuthinker/ /mongodb", found in review).
 */
const unpaddedText = () => checkedString(paddingProblem);

/** Free text read by a parser of its own, which may take spaces around its parts. */
export function optionalText(doc: Omit<EnvVarDoc, 'expected'>, expected = 'a non-empty string') {
  return documented(z.preprocess(blankToUndefined, z.string().optional()), { ...doc, expected });
}

/** A name used as it is (a model, a prefix, a directory): no whitespace around it; `check` its other rules. */
export function optionalName(
  doc: Omit<EnvVarDoc, 'expected'>,
  expected = 'a non-empty string',
  check?: ValueCheck,
) {
  const name = check
    ? checkedString((value) => paddingProblem(value) ?? check(value))
    : unpaddedText();
  return documented(z.preprocess(blankToUndefined, name.optional()), { ...doc, expected });
}

export function textWithDefault(defaultValue: string, doc: Omit<EnvVarDoc, 'expected'>) {
  return documented(z.preprocess(blankToUndefined, unpaddedText().default(defaultValue)), {
    ...doc,
    expected: 'a non-empty string',
    defaultValue,
  });
}

/** true/false/1/0 (any case); anything else is an error rather than a silent false. */
export function booleanFlag(defaultValue: boolean, doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(
    blankToUndefined,
    z
      .stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], case: 'insensitive' })
      .default(defaultValue),
  );
  return documented(schema, {
    ...doc,
    expected: 'true, false, 1 or 0',
    defaultValue: String(defaultValue),
  });
}

export function integerInRange(
  defaultValue: number,
  min: number,
  max: number,
  doc: Omit<EnvVarDoc, 'expected'>,
) {
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      // A sign is read, so that -3 is "below 1", not "not a whole number".
      .regex(/^-?\d+$/, { error: 'is not a whole number' })
      // + 0: "-0" is 0.
      .transform((text) => Number(text) + 0)
      .pipe(
        z
          .number()
          .min(min, { error: `is below ${min}` })
          .max(max, { error: `is above ${max}` }),
      )
      .default(defaultValue),
  );
  return documented(schema, {
    ...doc,
    expected: `a whole number from ${min} to ${max}`,
    defaultValue: String(defaultValue),
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue: T[number],
  doc: Omit<EnvVarDoc, 'expected'>,
) {
  const schema = z.preprocess(
    blankToUndefined,
    z.enum(values, { error: 'is not one of the accepted values' }).default(defaultValue),
  );
  return documented(schema, { ...doc, expected: `one of ${values.join(', ')}`, defaultValue });
}

/** A comma-separated list, each entry checked against `item`. */
export function commaList<T extends z.ZodType<string>>(item: T, doc: EnvVarDoc) {
  const schema = z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean)
        : value,
    z.array(item, { error: 'is not a comma-separated list' }).optional(),
  );
  return documented(schema, doc);
}
