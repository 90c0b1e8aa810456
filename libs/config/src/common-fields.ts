import {
  booleanFlag,
  browserOrigin,
  commaList,
  integerInRange,
  oneOf,
  optionalSecret,
  optionalName,
  optionalUrl,
  textWithDefault,
} from './env-fields';
import { secretPrefixProblem } from './secret-catalogue';

export const NODE_ENVS = ['production', 'development', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every service reads, with the same meaning everywhere. */
export const commonFields = {
  NODE_ENV: oneOf(NODE_ENVS, 'production', {
    description: 'Runtime mode; production refuses embedded stores unless explicitly allowed',
  }),
  DOCUTHINKER_ALLOW_EMBEDDED: booleanFlag(false, {
    description:
      'Allow embedded stores, and generated or placeholder secrets, in production (single-node or laptop use)',
  }),
  DOCUTHINKER_DATA_DIR: textWithDefault('.data', {
    description:
      'Directory for embedded data (libSQL files, local originals, dev secrets); a service that uses it stops at start-up, naming it, when it cannot be created or written',
  }),
  DOCUTHINKER_LOG_LEVEL: oneOf(LOG_LEVELS, 'info', { description: 'pino log level' }),
  DOCUTHINKER_DRAIN_TIMEOUT_MS: integerInRange(25000, 0, 120000, {
    description: 'How long SIGTERM waits for in-flight requests (below ECS stopTimeout of 30 s)',
  }),
  // Every AI call may cost a paid provider request: one user must not be able
  // to spend the platform's provider budget, or its CPU, on their own.
  DOCUTHINKER_AI_CALLS_PER_MINUTE: integerInRange(60, 1, 1_000_000, {
    description:
      "AI calls one user may make per minute: AI tasks, chat, ask, semantic (vector or hybrid) search, and uploads, renames or direct indexing, which embed the document; 429 with Retry-After beyond it. With REDIS_URL both services count a user's calls together in Redis, across replicas (in process per replica without it, or while Redis is down); the gateway counts only user tokens, the backend's calls being counted there already",
  }),
  // The web app calls both: the backend, and the gateway's /ai/* routes with the user's token.
  DOCUTHINKER_CORS_ORIGINS: commaList(browserOrigin(), {
    description: 'Comma-separated browser origins allowed by CORS; none when unset',
    expected:
      'a comma-separated list of origins (scheme://host[:port], no path or trailing slash) such as https://app.example.com',
  }),
  DOCUTHINKER_SECRETS_PREFIX: optionalName(
    {
      description:
        'Load unset variables from AWS Secrets Manager secrets under this prefix (e.g. docuthinker/); off when unset',
    },
    'a secret name prefix such as docuthinker/',
    secretPrefixProblem,
  ),
  // Read by the AWS SDK itself, which fails its first call on a bad one with
  // an error naming no variable; the Secrets Manager loader, which runs
  // before validation, checks it by this rule first (refuseBadLoaderSettings).
  AWS_ENDPOINT_URL: optionalUrl(['http:', 'https:'], {
    description:
      'Endpoint of every AWS service called (Secrets Manager, S3), e.g. an emulator; read by the AWS SDK, which uses AWS endpoints when unset',
  }),
  AWS_ENDPOINT_URL_SECRETS_MANAGER: optionalUrl(['http:', 'https:'], {
    description:
      'Endpoint of Secrets Manager alone, ahead of AWS_ENDPOINT_URL; read by the AWS SDK',
  }),
  DOCUTHINKER_JWT_SECRET: optionalSecret(
    {
      description:
        'HMAC key for user access tokens (secret docuthinker/jwt); generated into the data dir when embedded',
    },
    32,
  ),
  DOCUTHINKER_SERVICE_TOKEN: optionalSecret(
    {
      description:
        'Token the backend presents to the gateway (secret docuthinker/service-token); generated when embedded',
    },
    32,
  ),
};

/** What every service's resolved configuration carries, whatever else it has. */
export interface ServiceConfigBase {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
  /** AI calls one user may make per minute (DOCUTHINKER_AI_CALLS_PER_MINUTE). */
  readonly aiCallsPerMinute: number;
  readonly dataDir: string;
  readonly allowEmbedded: boolean;
  /** Browser origins allowed by CORS (DOCUTHINKER_CORS_ORIGINS); none when empty. */
  readonly corsOrigins: readonly string[];
  readonly jwtSecret: string;
  readonly serviceToken: string;
  /** One line per embedded default in use, for the service to log once at start-up. */
  readonly notices: readonly string[];
}
