import { createRedactor, secretValuesFrom } from '@docuthinker/config';
import type * as z from 'zod';

export interface FailedStartOptions {
  /** The service's documented variables: their secret values are masked. */
  fields: Record<string, z.ZodType>;
  /** Where the secrets are: the environment, which the secrets loader fills too. */
  env?: Readonly<Record<string, string | undefined>>;
  write?: (line: string) => void;
  exit?: (code: number) => void;
}

/**
 * The last words of a process that could not start or finish its work: one
 * line on stderr, then exit 1. A driver's message may quote a connection
 * string, a password or a refused key (a MongoDB URI's user info, a provider
 * key in an SDK's error), so the line is masked as the services' logs are,
 * by every secret value of the environment.
 */
export function exitWithFailure(prefix: string, error: unknown, options: FailedStartOptions): void {
  const { fields, env = process.env } = options;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const message = error instanceof Error ? error.message : String(error);
  const redact = createRedactor(secretValuesFrom(fields, env));
  write(`${prefix}: ${redact(message)}\n`);
  exit(1);
}
