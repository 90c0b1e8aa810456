import { envVarDocs } from './env-fields';
import type * as z from 'zod';

export const REDACTED = '[REDACTED]';

/** Structured fields that carry credentials, for pino's path-based redaction. */
export const SENSITIVE_LOG_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-service-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.token',
  '*.apiKey',
]);

/** Values shorter than this are not secrets worth masking and would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;

/**
 * The user info of a URL: from the scheme to the last `@`. Not `new URL`: a
 * MongoDB replica-set URI (`mongodb://u:pw@h1:27017,h2:27017/db`) is not a
 * WHATWG URL, and its password would go unlisted. Not the first `@` either: a
 * password with an unescaped `@` in it (`u:P@ss:w0rd@host`) would be cut at
 * it, and the driver quotes the rest (`Unable to parse ss:w0rd with URL`).
 */
const URL_USER_INFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(.*)@/s;

/** `written` and its percent-decoded form. */
function asWrittenAndDecoded(written: string): string[] {
  try {
    return [written, decodeURIComponent(written)];
  } catch {
    return [written]; // a malformed escape: the written form is what a log would show
  }
}

/**
 * The password of a URL's user info (everything after its first `:`), as
 * written and decoded; and, when the user info holds an unescaped `@`, the
 * whole of it and each piece between its `@` signs, which a driver may quote
 * on its own.
 */
export function urlPasswords(value: string): string[] {
  const userInfo = URL_USER_INFO.exec(value)?.[1];
  if (!userInfo) return [];
  const colon = userInfo.indexOf(':');
  const password = colon < 0 ? '' : userInfo.slice(colon + 1);
  const pieces = userInfo.includes('@') ? [userInfo, ...userInfo.split('@')] : [];
  return [password, ...pieces].filter(Boolean).flatMap(asWrittenAndDecoded);
}

/**
 * The values of every variable documented as secret in `fields`, plus the
 * password part of any secret URL and each key of a comma-separated key
 * pool (`OPENAI_API_KEY=k1,k2`), so either alone is caught too: a provider's
 * error message quotes the one key it refused.
 */
export function secretValuesFrom(
  fields: Record<string, z.ZodType>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const values: string[] = [];
  for (const [variable, schema] of Object.entries(fields)) {
    const value = env[variable];
    if (!value || !envVarDocs.get(schema)?.secret) continue;
    values.push(value, ...urlPasswords(value));
    if (value.includes(',')) {
      values.push(...value.split(',').map((part) => part.trim()));
    }
  }
  return values;
}

/**
 * Returns a function that replaces every occurrence of the given secret
 * values in a string. Longest first, so a value containing another is masked whole.
 */
export function createRedactor(secretValues: Iterable<string>): (text: string) => string {
  const unique = [...new Set(secretValues)].filter((value) => value.length >= MIN_SECRET_LENGTH);
  if (unique.length === 0) return (text) => text;
  unique.sort((a, b) => b.length - a.length);
  const escaped = unique.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // JSON log lines escape some characters, so match the JSON-encoded form too.
  const jsonEncoded = unique
    .map((value) => JSON.stringify(value).slice(1, -1))
    .filter((encoded, index) => encoded !== unique[index])
    .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp([...escaped, ...jsonEncoded].join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}
