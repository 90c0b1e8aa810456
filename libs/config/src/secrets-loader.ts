// Type-only at the top: the SDK is loaded on first use, so a service that
// does not read Secrets Manager does not pay for loading it at start-up.
import type {
  BatchGetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './config-error';
import { envVarDocs } from './env-fields';
import { problemOf } from './parse-environment';
import {
  qualifiedSecretId,
  secretsFor,
  type PlatformSecret,
  type ServiceName,
} from './secret-catalogue';
import { isKeyValueSecretString } from './plain-secret';
import { secretValueProblem } from './secret-values';
import { fieldsOf } from './service-fields';

export interface LoadSecretsOptions {
  service: ServiceName;
  /** e.g. `docuthinker/`; the loader does nothing when it is undefined. */
  prefix: string | undefined;
  /** The environment to fill; variables already set are left alone. */
  env: Record<string, string | undefined>;
  /** A client to use instead of the default one (region and endpoint from the AWS environment). */
  client?: SecretsManagerClient;
  /** Deadline of each batch call, retries included (ms); DEFAULT_SECRETS_TIMEOUT_MS when unset. */
  timeoutMs?: number;
}

export interface LoadSecretsResult {
  /** Variables filled from Secrets Manager (names only). */
  loaded: string[];
  /** The secret each of those was read from, by variable (see loadConfigWithSecrets). */
  sources: Map<string, string>;
  /** Optional secrets that do not exist. */
  absent: string[];
}

/** A secret could not be read; the message names secrets, never values. */
export class SecretsLoadError extends Error {
  override readonly name = 'SecretsLoadError';
  constructor(
    message: string,
    readonly secretIds: readonly string[],
  ) {
    super(message);
  }
}

/** Secrets Manager's limit for one BatchGetSecretValue call. */
const BATCH_SIZE = 20;

/**
 * An endpoint that accepts the connection and never answers would otherwise
 * hold start-up forever. Ten seconds leaves room for the adaptive retries of
 * a throttled call.
 */
export const DEFAULT_SECRETS_TIMEOUT_MS = 10_000;

/**
 * Per-attempt timeouts: the SDK's defaults wait for ever on an endpoint that
 * accepts the connection and never answers (a firewall that drops Secrets
 * Manager's traffic), and the secrets CLI, whose calls have no deadline of
 * their own, printed nothing until it was killed.
 */
export function secretsRequestTimeouts(requestTimeoutMs: number) {
  return {
    connectionTimeout: Math.min(3_000, requestTimeoutMs),
    requestTimeout: requestTimeoutMs,
    socketTimeout: requestTimeoutMs,
    // Without it the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
  };
}

/**
 * Retries with exponential backoff and client-side rate limiting on
 * throttling, as the SDK's adaptive mode does; nothing hand-written. Each
 * attempt is bounded (secretsRequestTimeouts); `config` may set its own.
 */
export async function createSecretsClient(
  config: SecretsManagerClientConfig = {},
): Promise<SecretsManagerClient> {
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  return new SecretsManagerClient({
    maxAttempts: 6,
    retryMode: 'adaptive',
    requestHandler: secretsRequestTimeouts(DEFAULT_SECRETS_TIMEOUT_MS),
    ...config,
  });
}

/**
 * Fills unset variables of `service` from `docuthinker/*` secrets, in batches.
 * A missing required secret, or any access error, throws a SecretsLoadError
 * naming the secrets. Used when running against AWS from outside ECS; in ECS
 * the task definition injects the same secrets as variables.
 */
export async function loadSecretsIntoEnvironment(
  options: LoadSecretsOptions,
): Promise<LoadSecretsResult> {
  const { env } = options;
  // Blank counts as unset, as validation reads DOCUTHINKER_SECRETS_PREFIX.
  const prefix = options.prefix?.trim() ? options.prefix : undefined;
  const result: LoadSecretsResult = { loaded: [], sources: new Map(), absent: [] };
  if (!prefix) return result;

  const wanted = secretsFor(options.service)
    .filter((secret) => env[secret.variable] === undefined || env[secret.variable] === '')
    .filter((secret) => isNeeded(secret, options.service, env))
    .map((secret) => ({ ...secret, id: qualifiedSecretId(secret.name, prefix) }));
  if (wanted.length === 0) return result;

  // The prefix as given (it is the variable's, read by loadConfigWithSecrets);
  // a client given (tests) has its endpoint already.
  refuseBadLoaderSettings(
    options.service,
    { ...env, DOCUTHINKER_SECRETS_PREFIX: prefix },
    options.client ? ['DOCUTHINKER_SECRETS_PREFIX'] : LOADER_VARIABLES,
  );
  const { BatchGetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = options.client ?? (await createSecretsClient());
  const byId = new Map(wanted.map((secret) => [secret.id, secret]));
  const missingRequired: string[] = [];
  const failures: string[] = [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_SECRETS_TIMEOUT_MS;

  for (let start = 0; start < wanted.length; start += BATCH_SIZE) {
    const batch = wanted.slice(start, start + BATCH_SIZE).map((secret) => secret.id);
    const deadline = AbortSignal.timeout(timeoutMs);
    const command = new BatchGetSecretValueCommand({ SecretIdList: batch });
    const lastAttempt = rememberLastAttemptFailure(command);
    let response;
    try {
      response = await withinDeadline(client.send(command, { abortSignal: deadline }), deadline);
    } catch (error) {
      // At the deadline, the last attempt's failure says why (throttled,
      // refused) where there was one (found in review: a throttled call read
      // as "timed out").
      const reason = !deadline.aborted
        ? failureReason(error)
        : lastAttempt.failure === undefined
          ? `timed out after ${timeoutMs} ms`
          : `${failureReason(lastAttempt.failure)}; retried until the ${timeoutMs} ms deadline`;
      throw new SecretsLoadError(`Could not read secrets ${batch.join(', ')} (${reason})`, batch);
    }
    for (const value of response.SecretValues ?? []) {
      const secret =
        byId.get(value.Name ?? '') ?? [...byId.values()].find((s) => s.id === value.ARN);
      if (!secret) continue;
      if (typeof value.SecretString !== 'string' || value.SecretString === '') {
        failures.push(`${secret.id} (no string value)`);
        continue;
      }
      if (isKeyValueSecretString(value.SecretString)) {
        failures.push(`${secret.id} (a JSON key/value object; secrets are plain strings)`);
        continue;
      }
      env[secret.variable] = value.SecretString;
      result.loaded.push(secret.variable);
      result.sources.set(secret.variable, secret.id);
    }
    for (const error of response.Errors ?? []) {
      const secret = byId.get(error.SecretId ?? '');
      const id = secret?.id ?? error.SecretId ?? 'unknown secret';
      if (error.ErrorCode === 'ResourceNotFoundException') {
        if (secret?.required) missingRequired.push(id);
        else result.absent.push(id);
      } else {
        failures.push(`${id} (${error.ErrorCode ?? 'error'})`);
      }
    }
  }

  if (missingRequired.length > 0 || failures.length > 0) {
    // What the services would refuse in the secrets that were read, said now
    // too: validation, which would say it, does not run after this failure
    // (found in an exploratory test: a padded docuthinker/redis showed only
    // on the start after the unreadable secret was mended).
    const invalid = wanted.flatMap((secret) => {
      const value = result.sources.has(secret.variable) ? env[secret.variable] : undefined;
      const problem =
        value === undefined ? undefined : secretValueProblem(secret, value, { guessable: false });
      return problem ? [`${secret.id} (${problem.variable} ${problem.problem})`] : [];
    });
    const parts = [
      missingRequired.length > 0 ? `missing required secrets: ${missingRequired.join(', ')}` : '',
      failures.length > 0 ? `unreadable secrets: ${failures.join(', ')}` : '',
      invalid.length > 0 ? `invalid secrets: ${invalid.join(', ')}` : '',
    ].filter(Boolean);
    throw new SecretsLoadError(`Secrets Manager: ${parts.join('; ')}`, [
      ...missingRequired,
      ...failures,
      ...invalid,
    ]);
  }
  return result;
}

/**
 * A service's configuration: its environment filled from Secrets Manager
 * under DOCUTHINKER_SECRETS_PREFIX (see loadSecretsIntoEnvironment), then
 * validated by `load`, whose errors name the secret a variable came from.
 */
export async function loadConfigWithSecrets<C>(
  service: ServiceName,
  env: Record<string, string | undefined>,
  load: (env: Record<string, string | undefined>) => C,
  { client }: Pick<LoadSecretsOptions, 'client'> = {},
): Promise<C> {
  const secrets = await loadSecretsIntoEnvironment({
    service,
    prefix: env['DOCUTHINKER_SECRETS_PREFIX'],
    env,
    client,
  });
  try {
    return load(env);
  } catch (error) {
    throw error instanceof ConfigError ? withSecretSources(error, secrets.sources) : error;
  }
}

/**
 * `error` with each variable read from Secrets Manager named with its
 * secret: "REDIS_URL (from secret docuthinker/redis): has leading or
 * trailing whitespace", not a variable the operator's shell does not have
 * (found in an exploratory test).
 */
function withSecretSources(error: ConfigError, sources: ReadonlyMap<string, string>): ConfigError {
  if (!error.problems.some((problem) => sources.has(problem.variable))) return error;
  return new ConfigError(
    error.service,
    error.problems.map((problem) => {
      const secretId = sources.get(problem.variable);
      return secretId === undefined
        ? problem
        : { ...problem, variable: `${problem.variable} (from secret ${secretId})` };
    }),
  );
}

/**
 * The SDK reads AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_SECRETS_MANAGER ahead
 * of it) itself, and one it cannot parse (`localhost:4566`, no scheme) failed
 * the first call with a bare error name, `(TypeError)` or `(Unknown)`, that
 * named no setting; a prefix with a character no secret name has, with the
 * SDK's ValidationException. Validation comes after the secrets, so the
 * loader checks them first, by the service's own rule.
 */
function refuseBadLoaderSettings(
  service: ServiceName,
  env: Record<string, string | undefined>,
  variables: readonly LoaderVariable[],
): void {
  const problems = variables.flatMap((variable) => {
    const schema = fieldsOf(service)[variable];
    const parsed = schema?.safeParse(env[variable]);
    if (!schema || !parsed || parsed.success) return [];
    return [
      {
        variable,
        problem: problemOf(parsed.error, env[variable]),
        expected: envVarDocs.get(schema)?.expected ?? 'a URL',
      },
    ];
  });
  if (problems.length > 0) throw new ConfigError(service, problems);
}

const LOADER_VARIABLES = [
  'DOCUTHINKER_SECRETS_PREFIX',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
] as const;
type LoaderVariable = (typeof LOADER_VARIABLES)[number];

/**
 * A secret that only a switched-off feature uses (Neo4j with
 * DOCUTHINKER_SYNC_GRAPH=false) is not asked for: the service will not read
 * it, and a deployment without that store has no such secret. The switch is
 * read by the service's own rule; a value it would refuse counts as on, and
 * configuration validation reports it.
 */
function isNeeded(
  secret: PlatformSecret,
  service: ServiceName,
  env: Record<string, string | undefined>,
): boolean {
  if (!secret.neededWhen) return true;
  const flag = fieldsOf(service)[secret.neededWhen]?.safeParse(env[secret.neededWhen]);
  return !(flag?.success && flag.data === false);
}

/**
 * The SDK stops the request at the deadline (and closes its socket), but it
 * does not watch the signal while it resolves credentials: a credential
 * endpoint that never answers would still hold start-up. The race makes the
 * deadline hold for every step.
 */
function withinDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.reason);
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

/**
 * Records the failure of each attempt the SDK makes for `command`, so that a
 * call cut off by the deadline can say what its attempts met.
 */
function rememberLastAttemptFailure(command: BatchGetSecretValueCommand): { failure: unknown } {
  const last: { failure: unknown } = { failure: undefined };
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        last.failure = error;
        throw error;
      }
    },
    // Inside the retry middleware (finalizeRequest, high priority), outside the
    // deserializer whose errors are the service's answers.
    { step: 'finalizeRequest', priority: 'low', name: 'rememberLastAttemptFailure' },
  );
  return last;
}

/**
 * Why a call failed, without the SDK's request details: the service's error
 * name (ThrottlingException, AccessDeniedException, TimeoutError) and the
 * start of its message, or for a network failure its code and message
 * (ECONNREFUSED 127.0.0.1:1). Secrets Manager's messages name the secret
 * and the caller's role, never a value.
 */
function failureReason(error: unknown): string {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  const said = message?.replace(/\s+/g, ' ').trim().slice(0, 200);
  // A network failure comes as a generic Error (or the SDK's wrapper of one).
  if (name && name !== 'Error' && !name.startsWith('AWS SDK error wrapper')) {
    return said && said !== name ? `${name}: ${said}` : name;
  }
  return [code, said].filter(Boolean).join(': ') || 'error';
}
