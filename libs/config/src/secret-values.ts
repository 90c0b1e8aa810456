import type { ConfigProblem } from './config-error';
import { envVarDocs } from './env-fields';
import {
  guessableSecretProblem,
  RANDOM_SECRET_HINT,
  SIGNING_SECRET_VARIABLES,
} from './guessable-secret';
import { problemOf } from './parse-environment';
import { plainSecretProblem } from './plain-secret';
import type { PlatformSecret } from './secret-catalogue';
import { fieldsOf } from './service-fields';

/**
 * What is wrong with `value` as the value of `secret`, by the rule of the
 * service that reads it, or undefined when that service would accept it.
 * Values on their way into Secrets Manager meet one rule more: not empty (a
 * service would take it as unset and fail or fall back later). A JSON
 * key/value object and padding are refused by the services' own rule (see
 * plainSecretProblem). The problem never contains the value.
 */
export function secretValueProblem(
  secret: PlatformSecret,
  value: string,
  /**
   * Whether a signing secret that looks guessable is a problem: production's
   * rule, which the services apply only there. The loader, reading secrets
   * for any environment, leaves it to them.
   */
  { guessable: refusesGuessable = true }: { guessable?: boolean } = {},
): ConfigProblem | undefined {
  const [service] = secret.services;
  const schema = service && fieldsOf(service)[secret.variable];
  if (!schema) {
    throw new Error(`${secret.variable} is in the secret catalogue but no service reads it`);
  }
  const expected = envVarDocs.get(schema)?.expected ?? 'a non-empty value';
  const problem = (text: string): ConfigProblem => ({
    variable: secret.variable,
    problem: text,
    expected,
  });
  if (value === '') return problem('is empty');
  const plain = plainSecretProblem(value);
  if (plain) return problem(plain);
  const result = schema.safeParse(value);
  if (!result.success) return problem(problemOf(result.error, value));
  // What is put here is what production runs with (see resolvePlatformSecrets).
  const guessable =
    refusesGuessable && SIGNING_SECRET_VARIABLES.has(secret.variable)
      ? guessableSecretProblem(value)
      : undefined;
  return guessable ? { ...problem(guessable), expected: RANDOM_SECRET_HINT } : undefined;
}
