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
 * The values of every variable documented as secret in `fields`, plus the
 * password part of any secret URL, so the password alone is caught too.
 */
export function secretValuesFrom(
  fields: Record<string, z.ZodType>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const values: string[] = [];
  for (const [variable, schema] of Object.entries(fields)) {
    const value = env[variable];
    if (!value || !envVarDocs.get(schema)?.secret) continue;
    values.push(value);
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password) values.push(password);
    } catch {
      // not a URL: the whole value is already listed
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
