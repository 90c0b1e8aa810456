import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  PLATFORM_SECRETS,
  qualifiedSecretId,
  secretByName,
  secretByVariable,
  secretValueProblem,
  type PlatformSecret,
} from '@docuthinker/config';
import { EnvEntries, keyForMessages } from './env-file';

export type PutAction = 'create' | 'update' | 'unchanged';

export interface PutOutcome {
  secretId: string;
  variable: string;
  action: PutAction;
}

export interface CommandContext {
  client: SecretsManagerClient;
  prefix: string;
  dryRun: boolean;
  print: (line: string) => void;
}

/** Maps an input key (a variable like REDIS_URL or a secret name like redis) to its secret. */
export function resolveSecretKey(key: string): PlatformSecret | undefined {
  return secretByVariable(key) ?? secretByName(key);
}

/**
 * What a secret holds now: `absent` when there is no such secret; `empty`
 * when it exists without a string value (created with none, or holding a
 * binary one), which the services cannot read; else its string.
 */
type StoredValue =
  | { readonly state: 'absent' }
  | { readonly state: 'empty' }
  | { readonly state: 'set'; readonly value: string };

async function currentValue(context: CommandContext, secretId: string): Promise<StoredValue> {
  try {
    const result = await context.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = result.SecretString;
    return typeof value === 'string' && value !== '' ? { state: 'set', value } : { state: 'empty' };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  // Secrets Manager answers the same for a secret that does not exist and for
  // one that has no current version (created without a value).
  try {
    await context.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { state: 'empty' };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { state: 'absent' };
    throw error;
  }
}

/**
 * Refuses input that would be written wrongly, naming keys and never values:
 * unknown keys, two keys for one secret (REDIS_URL and redis), and values the
 * service reading them would refuse at start-up, by its own field rules.
 */
function refuseBadEntries(context: CommandContext, entries: Map<string, string>): void {
  const resolved = [...entries].map(([key, value]) => ({
    key,
    value,
    secret: resolveSecretKey(key),
  }));
  const lineOf = (key: string) =>
    entries instanceof EnvEntries ? entries.lines.get(key) : undefined;
  const unknown = resolved
    .filter(({ secret }) => !secret)
    .map(({ key }) => {
      const line = lineOf(key);
      const shown = keyForMessages(key, line);
      return shown === key && line !== undefined ? `${key} (line ${line})` : shown;
    });
  if (unknown.length > 0) {
    const names = PLATFORM_SECRETS.map((s) => `${s.variable} (${s.name})`).join(', ');
    throw new Error(`not a docuthinker secret: ${unknown.join(', ')} (known: ${names})`);
  }
  const known = resolved as Array<{ key: string; value: string; secret: PlatformSecret }>;
  const keyFor = new Map<string, string>();
  const repeated: string[] = [];
  for (const { key, secret } of known) {
    const earlier = keyFor.get(secret.name);
    if (earlier === undefined) keyFor.set(secret.name, key);
    else {
      const secretId = qualifiedSecretId(secret.name, context.prefix);
      repeated.push(`${earlier} and ${key} both set ${secretId}; give each secret once`);
    }
  }
  if (repeated.length > 0) throw new Error(repeated.join('\n'));
  const invalid = known.flatMap(({ key, value, secret }) => {
    const problem = secretValueProblem(secret, value);
    if (!problem) return [];
    const label = key === secret.variable ? key : `${key} (${secret.variable})`;
    return [`${label}: ${problem.problem}; expected ${problem.expected}`];
  });
  if (invalid.length > 0) throw new Error(invalid.join('\n'));
}

/**
 * What docker/.env holds for docker-compose beside the secrets (see
 * docker/.env.example). put reads the same file, so it passes over these and
 * says so, rather than refuse the file as unknown keys (found in an
 * exploratory test: `put --file docker/.env` could not succeed).
 */
export const COMPOSE_SETTINGS: readonly string[] = [
  'NEO4J_PASSWORD',
  'DOCUTHINKER_AI_PROVIDERS',
  'AIML_UPSTREAM_IMAGE',
  'DOCUTHINKER_AIML_UPSTREAM_URL',
  'DOCUTHINKER_CORS_ORIGINS',
  'IMAGE_TAG',
];

/** `entries` without the compose settings, each said to be passed over. */
function withoutComposeSettings(
  context: CommandContext,
  entries: Map<string, string>,
): Map<string, string> {
  const kept = new EnvEntries();
  for (const [key, value] of entries) {
    if (COMPOSE_SETTINGS.includes(key)) {
      context.print(`skipped ${key}: a docker-compose setting, not a secret`);
      continue;
    }
    kept.set(key, value);
    const line = entries instanceof EnvEntries ? entries.lines.get(key) : undefined;
    if (line !== undefined) kept.lines.set(key, line);
  }
  return kept;
}

/**
 * Creates or updates one secret per entry. Idempotent: an unchanged value
 * writes nothing (no new version). Every entry is checked before the first
 * write, so a typo or a bad value cannot half-apply a file. Values are never
 * printed.
 */
export async function putSecrets(
  context: CommandContext,
  given: Map<string, string>,
): Promise<PutOutcome[]> {
  const entries = withoutComposeSettings(context, given);
  refuseBadEntries(context, entries);

  const outcomes: PutOutcome[] = [];
  for (const [key, value] of entries) {
    const secret = resolveSecretKey(key) as PlatformSecret;
    const secretId = qualifiedSecretId(secret.name, context.prefix);
    const existing = await scheduledForDeletionSaid(secretId, () =>
      currentValue(context, secretId),
    );
    // A secret that exists without a string value gets one as a new version.
    const action: PutAction =
      existing.state === 'absent'
        ? 'create'
        : existing.state === 'set' && existing.value === value
          ? 'unchanged'
          : 'update';
    if (!context.dryRun) {
      await scheduledForDeletionSaid(secretId, () =>
        write(context, secretId, secret, action, value),
      );
    }
    outcomes.push({ secretId, variable: secret.variable, action });
    // "would create", "would update", "unchanged" (not "would unchanged").
    const verb = context.dryRun && action !== 'unchanged' ? `would ${action}` : action;
    context.print(`${verb.padEnd(context.dryRun ? 15 : 9)} ${secretId} (${secret.variable})`);
  }
  return outcomes;
}

/** Writes one secret's value as `action` says. */
async function write(
  context: CommandContext,
  secretId: string,
  secret: PlatformSecret,
  action: PutAction,
  value: string,
): Promise<void> {
  if (action === 'create') {
    await context.client.send(
      new CreateSecretCommand({
        Name: secretId,
        SecretString: value,
        Description: `DocuThinker ${secret.variable}`,
        Tags: [{ Key: 'app', Value: 'docuthinker' }],
      }),
    );
  } else if (action === 'update') {
    await context.client.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: value }),
    );
  }
}

/**
 * `call` on one secret, a secret scheduled for deletion said as such with
 * the way back: Secrets Manager refuses every read and write of it with an
 * InvalidRequestException that names no secret.
 */
async function scheduledForDeletionSaid<T>(secretId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InvalidRequestException && /delet/i.test(error.message)) {
      throw new Error(
        `${secretId} is scheduled for deletion: restore it (aws secretsmanager restore-secret --secret-id ${secretId}) and run put again`,
      );
    }
    throw error;
  }
}

export interface CheckRow {
  secretId: string;
  variable: string;
  required: boolean;
  present: boolean;
  /** The secret exists but holds no string value (none, or a binary one). */
  empty: boolean;
  /** Why the service reading it would refuse the value it holds (never the value itself). */
  invalid?: string;
}

/** Whether the services could start on these secrets. */
export function checkPasses(rows: readonly CheckRow[]): boolean {
  return !rows.some((row) => (row.required && !row.present) || row.empty || row.invalid);
}

/**
 * Which platform secrets exist, and whether each holds a value its service
 * takes (read, never printed): the same rule `put` applies before it
 * writes. The caller fails when a required one is missing, or any is empty
 * or refused, since a service cannot start on it. Found in an exploratory
 * test: a value with a trailing newline, or a JSON object, stored by other
 * means was "present" here while the services refused to start on it.
 */
export async function checkSecrets(context: CommandContext): Promise<CheckRow[]> {
  const existing = new Set(await listSecretIds(context));
  const rows: CheckRow[] = [];
  for (const secret of PLATFORM_SECRETS) {
    const secretId = qualifiedSecretId(secret.name, context.prefix);
    const present = existing.has(secretId);
    const stored = present ? await currentValue(context, secretId) : undefined;
    const refused = stored?.state === 'set' ? secretValueProblem(secret, stored.value) : undefined;
    rows.push({
      secretId,
      variable: secret.variable,
      required: secret.required,
      present,
      empty: present && stored?.state !== 'set',
      ...(refused ? { invalid: `${refused.problem}; expected ${refused.expected}` } : {}),
    });
  }
  for (const row of rows) {
    const state = row.empty
      ? 'EMPTY (no string value)'
      : row.invalid
        ? `INVALID (${row.invalid})`
        : row.present
          ? 'present'
          : row.required
            ? 'MISSING'
            : 'absent (optional)';
    context.print(`${row.secretId.padEnd(32)} ${row.variable.padEnd(28)} ${state}`);
  }
  // Not a failure: the stage may serve its AI calls from the FastAPI
  // container or the offline engine, set outside Secrets Manager (found in
  // an exploratory test: the check passed in silence, and the production
  // gateway then refused to start).
  const providerKeys = rows.filter((row) => PROVIDER_KEY_VARIABLES.has(row.variable));
  if (!providerKeys.some((row) => row.present && !row.empty && !row.invalid)) {
    context.print(
      'note: no LLM provider key is stored; the production gateway then starts only with DOCUTHINKER_AIML_UPSTREAM_URL or DOCUTHINKER_AI_PROVIDERS=local in its environment',
    );
  }
  return rows;
}

/** The secrets that hold an LLM provider's API key. */
const PROVIDER_KEY_VARIABLES = new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GOOGLE_API_KEY']);

/**
 * Names of the secrets right under the prefix (paginated; values are never
 * read). A stage's own prefix sits inside the default one
 * (`docuthinker/staging/`), and its secrets are that stage's, not these.
 */
export async function listSecretIds(context: CommandContext): Promise<string[]> {
  const prefix = qualifiedSecretId('', context.prefix);
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        NextToken: nextToken,
      }),
    );
    for (const secret of page.SecretList ?? []) {
      const name = secret.Name;
      if (name?.startsWith(prefix) && !name.slice(prefix.length).includes('/')) names.push(name);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return names.sort();
}
