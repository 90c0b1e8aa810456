import type * as z from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { envVarDocs } from './env-fields';
import type { NodeEnv } from './common-fields';
import { plainSecretProblem } from './plain-secret';
import { secretByVariable } from './secret-catalogue';
import { unwritableDirectoryProblem } from './writable-directory';

export type Environment = Readonly<Record<string, string | undefined>>;
type FieldShape = Record<string, z.ZodType>;
type ParsedValues<S extends FieldShape> = { [K in keyof S]: z.output<S[K]> };

/**
 * The first issue of a failed field, as a phrase that follows the variable's
 * name ("is above 65535"); zod's built-in messages ("Invalid input: …") do not
 * read that way, so they become a generic phrase.
 */
export function problemOf(error: z.ZodError, raw?: unknown): string {
  const issue = error.issues[0];
  const message = issue?.message ?? 'is invalid';
  if (message.startsWith('Invalid')) return 'is not an accepted value';
  // In a comma-separated list, which entry as written (never its value: the
  // message quotes none): one of several origins was hard to find (found in
  // an exploratory test).
  const entry = issue?.path[0];
  if (typeof entry !== 'number') return message;
  return `${message}: entry ${writtenPosition(raw, entry)}`;
}

/**
 * The 1-based position, among all the comma-separated fields of `raw`, of
 * its `index`th non-empty one: lists are read without their empty fields
 * (`a,,b` is two entries), but an operator counts the fields they wrote.
 */
function writtenPosition(raw: unknown, index: number): number {
  if (typeof raw !== 'string') return index + 1;
  let nonEmpty = -1;
  const fields = raw.split(',');
  for (const [position, field] of fields.entries()) {
    if (field.trim() !== '') nonEmpty += 1;
    if (nonEmpty === index) return position + 1;
  }
  return index + 1;
}

/**
 * A value delivered from Secrets Manager (in ECS, the task definition puts it
 * in the variable as it is stored) is used byte for byte: a newline pasted
 * into the console would end up inside a bearer token, an API key's header or
 * a connection URL, and fail later and far from its cause; a JSON key/value
 * secret (`{"jwt":"…"}`) would be taken whole as the key or URL, and is long
 * enough to pass as a signing key. `tools/secrets` and the loader refuse such
 * values on their way; this refuses them at start-up too, whoever set them.
 */
function injectedSecretProblem(variable: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '' || secretByVariable(variable) === undefined) {
    return undefined;
  }
  return plainSecretProblem(value);
}

/**
 * Collects problems and notices while a service's configuration is resolved.
 * Fields are parsed one by one so that a bad value does not hide the
 * cross-field rules (for example "required in production") of the others.
 */
export class ConfigResolution<S extends FieldShape> {
  readonly problems: ConfigProblem[] = [];
  readonly notices: string[] = [];
  readonly values: Partial<ParsedValues<S>> = {};
  /** Directories requireWritableDirectory has looked at. */
  private readonly writableDirectories = new Set<string>();

  constructor(
    readonly service: string,
    private readonly fields: S,
    env: Environment,
  ) {
    for (const [variable, schema] of Object.entries(fields)) {
      const injected = injectedSecretProblem(variable, env[variable]);
      if (injected) {
        this.problems.push({ variable, problem: injected, expected: this.expectedFor(variable) });
        continue;
      }
      const result = schema.safeParse(env[variable]);
      if (result.success) {
        (this.values as Record<string, unknown>)[variable] = result.data;
      } else {
        this.problems.push({
          variable,
          problem: problemOf(result.error, env[variable]),
          expected: this.expectedFor(variable),
        });
      }
    }
  }

  /** The strictest reading wins when NODE_ENV itself is invalid. */
  get nodeEnv(): NodeEnv {
    return (this.values['NODE_ENV'] as NodeEnv | undefined) ?? 'production';
  }

  /**
   * The problem of a production requirement left unset. Where NODE_ENV was
   * refused and read as production, it says so: `NODE_ENV=staging` listed
   * six variables "required in production" with no word of why (found in an
   * exploratory test).
   */
  get unsetInProduction(): string {
    return this.hasProblem('NODE_ENV')
      ? 'is not set (required in production, which an unaccepted NODE_ENV is read as)'
      : 'is not set (required in production)';
  }

  get embeddedAllowed(): boolean {
    return this.nodeEnv !== 'production' || this.values['DOCUTHINKER_ALLOW_EMBEDDED'] === true;
  }

  expectedFor(variable: string): string {
    const schema = this.fields[variable];
    return (schema && envVarDocs.get(schema)?.expected) ?? 'a valid value';
  }

  hasProblem(variable: string): boolean {
    return this.problems.some((p) => p.variable === variable);
  }

  /**
   * A production store (URL or bucket): returns it when set; otherwise the embedded
   * default is used (and noted once) where allowed, and a problem is recorded
   * where it is not.
   */
  storeOrEmbedded(variable: keyof S & string, embeddedLabel: string): string | undefined {
    const value = this.values[variable] as string | undefined;
    if (value !== undefined || this.hasProblem(variable)) return value;
    if (this.embeddedAllowed) {
      this.notices.push(`${variable} is not set: using ${embeddedLabel}`);
    } else {
      this.problems.push({
        variable,
        problem: this.unsetInProduction,
        expected: `${this.expectedFor(variable)}, or DOCUTHINKER_ALLOW_EMBEDDED=true to use ${embeddedLabel}`,
      });
    }
    return undefined;
  }

  /**
   * Records a problem when the directory `variable` names (or its default)
   * cannot hold the service's files: named at start-up, with its variable,
   * instead of a bare ENOTDIR or EACCES from whichever store opens it first.
   */
  requireWritableDirectory(variable: keyof S & string, directory: string): void {
    // Asked for by each thing that uses it (the stores, generated secrets): looked at once.
    if (this.hasProblem(variable) || this.writableDirectories.has(directory)) return;
    this.writableDirectories.add(directory);
    const problem = unwritableDirectoryProblem(directory);
    if (problem) {
      this.problems.push({
        variable,
        problem,
        expected: 'a directory this process can create or write to',
      });
    }
  }

  /**
   * Whether the embedded default stands in for `variable`, a production store
   * (see storeOrEmbedded): unset, and not refused.
   */
  usesEmbedded(variable: keyof S & string): boolean {
    return this.values[variable] === undefined && !this.hasProblem(variable);
  }

  addProblem(problem: ConfigProblem): void {
    this.problems.push(problem);
  }

  /** Throws one ConfigError listing every problem, or returns the parsed values. */
  complete(): ParsedValues<S> {
    if (this.problems.length > 0) throw new ConfigError(this.service, this.problems);
    return this.values as ParsedValues<S>;
  }
}
