/**
 * `{"key":"value"}`, what the AWS console stores by default ("key/value
 * pairs"). Every docuthinker secret is one plain value, so a service would
 * take the whole JSON text as its key or URL.
 */
export function isKeyValueSecretString(value: string): boolean {
  const text = value.trim();
  if (!text.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export const KEY_VALUE_SECRET_PROBLEM =
  'is a JSON key/value object, but docuthinker secrets are plain strings';

/** Whitespace around a value that is used byte for byte, as a phrase after its name. */
export function paddingProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is only whitespace';
  return value.trim() === value ? undefined : 'has leading or trailing whitespace';
}

/**
 * What makes `value` unusable as a secret whatever the secret is: a JSON
 * key/value object, or whitespace around it. The same rule holds for a value
 * on its way into Secrets Manager, one the loader reads from it, and one ECS
 * injects into the environment, which nothing checked on the way. The
 * phrase never contains the value.
 */
export function plainSecretProblem(value: string): string | undefined {
  return isKeyValueSecretString(value) ? KEY_VALUE_SECRET_PROBLEM : paddingProblem(value);
}
