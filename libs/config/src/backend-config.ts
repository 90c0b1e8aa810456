import { join } from 'node:path';
import { commonFields, type ServiceConfigBase } from './common-fields';
import { integerInRange, optionalS3BucketName, optionalUrl } from './env-fields';
import { optionalMongodbUri } from './mongodb-uri';
import { ConfigResolution, type Environment } from './parse-environment';
import { resolvePlatformSecrets } from './platform-secrets';
import { optionalHttpUrl, optionalRedisUrl } from './url-fields';

export const backendFields = {
  ...commonFields,
  PORT: integerInRange(5000, 1, 65535, { description: 'HTTP port of the backend' }),
  MONGODB_URI: optionalMongodbUri({
    description:
      "Documents, users, chat sessions and outbox (secret docuthinker/mongodb); embedded libSQL when unset. A replica set (transactions); reads always go to the primary, whatever the URI's `readPreference` (DocumentDB's suggested `secondaryPreferred` included); while it cannot be reached, requests are 503 `DT_ERR_STORAGE_UNAVAILABLE` with `Retry-After`",
    secret: true,
  }),
  REDIS_URL: optionalRedisUrl({
    description:
      'Cache, rate limits, and the token revocations the gateway reads (secret docuthinker/redis); in process, and revocations written to the data directory (for a gateway on the same machine), when unset',
    secret: true,
  }),
  DOCUTHINKER_AIML_URL: optionalHttpUrl({
    description: 'Base URL of the AI/ML gateway; http://127.0.0.1:8000 when unset',
  }),
  DOCUTHINKER_DOCUMENTS_BUCKET: optionalS3BucketName({
    description: 'S3 bucket for original files; a directory under the data dir when unset',
  }),
  // Read by the AWS SDK itself, as AWS_ENDPOINT_URL is (common-fields.ts).
  AWS_ENDPOINT_URL_S3: optionalUrl(['http:', 'https:'], {
    description: 'Endpoint of S3 alone, ahead of AWS_ENDPOINT_URL; read by the AWS SDK',
  }),
  DOCUTHINKER_MAX_UPLOAD_BYTES: integerInRange(25 * 1024 * 1024, 1024, 1024 * 1024 * 1024, {
    description: 'Largest accepted upload in bytes',
  }),
  // A real 25 MB document is read in a few seconds; a hostile one can keep a
  // parser busy for minutes, so its worker is stopped at this bound.
  DOCUTHINKER_EXTRACTION_TIMEOUT_MS: integerInRange(20_000, 100, 10 * 60_000, {
    description: 'Longest time one upload may spend in text extraction before it is refused (ms)',
  }),
  // Credential stuffing is slowed per address, guessing one password per account.
  DOCUTHINKER_LOGIN_ATTEMPTS_PER_IP: integerInRange(30, 1, 1_000_000, {
    description:
      'Login attempts allowed per client address (an IPv6 client counts by its /64) per 15 minutes, successful ones given back; 429 with Retry-After beyond it',
  }),
  DOCUTHINKER_LOGIN_ATTEMPTS_PER_EMAIL: integerInRange(5, 1, 1_000_000, {
    description:
      'Login attempts allowed per account email per 15 minutes, from each address (IPv6 by /64) and across the addresses the account has not signed in from in 30 days (a successful login resets the count of its address); also the wrong current passwords allowed per account in password changes (a right one resets that count); 429 with Retry-After beyond it',
  }),
  // Each sign-up costs a full argon2 hash (~60 ms of a core): unthrottled,
  // one client could keep the CPU busy and create accounts in bulk.
  DOCUTHINKER_REGISTRATIONS_PER_HOUR: integerInRange(20, 1, 1_000_000, {
    description:
      'Sign-up attempts allowed per client address (IPv6 by /64) per hour (each costs a password hash); 429 with Retry-After beyond it',
  }),
};

export interface BackendConfig extends ServiceConfigBase {
  readonly service: 'backend';
  readonly mongodbUri?: string;
  readonly redisUrl?: string;
  readonly aimlUrl: string;
  readonly documentsBucket?: string;
  readonly localDocumentsDir: string;
  readonly maxUploadBytes: number;
  readonly extractionTimeoutMs: number;
  readonly registrationsPerHour: number;
  readonly loginAttemptsPerIp: number;
  readonly loginAttemptsPerEmail: number;
}

const DEFAULT_AIML_URL = 'http://127.0.0.1:8000';

/** Validates the backend's environment; throws one ConfigError listing every problem. */
export function loadBackendConfig(env: Environment = process.env): BackendConfig {
  const resolution = new ConfigResolution('backend', backendFields, env);
  const dataDir = resolution.values.DOCUTHINKER_DATA_DIR ?? '.data';
  const mongodbUri = resolution.storeOrEmbedded('MONGODB_URI', `embedded libSQL under ${dataDir}`);
  const redisUrl = resolution.storeOrEmbedded('REDIS_URL', 'the in-process cache and rate limiter');
  const aimlUrl =
    resolution.storeOrEmbedded(
      'DOCUTHINKER_AIML_URL',
      `the local gateway at ${DEFAULT_AIML_URL}`,
    ) ?? DEFAULT_AIML_URL;
  const documentsBucket = resolution.storeOrEmbedded(
    'DOCUTHINKER_DOCUMENTS_BUCKET',
    `local files under ${join(dataDir, 'documents')}`,
  );
  // The embedded store, local files and, without Redis, the record of
  // revoked tokens live in the data directory.
  if (
    resolution.usesEmbedded('MONGODB_URI') ||
    resolution.usesEmbedded('DOCUTHINKER_DOCUMENTS_BUCKET') ||
    resolution.usesEmbedded('REDIS_URL')
  ) {
    resolution.requireWritableDirectory('DOCUTHINKER_DATA_DIR', dataDir);
  }
  const secrets = resolvePlatformSecrets(resolution);
  const values = resolution.complete();
  if (!secrets) throw new Error('unreachable: resolution completed without secrets');

  return Object.freeze({
    service: 'backend',
    nodeEnv: values.NODE_ENV,
    port: values.PORT,
    logLevel: values.DOCUTHINKER_LOG_LEVEL,
    drainTimeoutMs: values.DOCUTHINKER_DRAIN_TIMEOUT_MS,
    aiCallsPerMinute: values.DOCUTHINKER_AI_CALLS_PER_MINUTE,
    dataDir,
    allowEmbedded: values.DOCUTHINKER_ALLOW_EMBEDDED,
    mongodbUri,
    redisUrl,
    aimlUrl: aimlUrl.replace(/\/+$/, ''),
    documentsBucket,
    localDocumentsDir: join(dataDir, 'documents'),
    corsOrigins: Object.freeze([...(values.DOCUTHINKER_CORS_ORIGINS ?? [])]),
    maxUploadBytes: values.DOCUTHINKER_MAX_UPLOAD_BYTES,
    extractionTimeoutMs: values.DOCUTHINKER_EXTRACTION_TIMEOUT_MS,
    registrationsPerHour: values.DOCUTHINKER_REGISTRATIONS_PER_HOUR,
    loginAttemptsPerIp: values.DOCUTHINKER_LOGIN_ATTEMPTS_PER_IP,
    loginAttemptsPerEmail: values.DOCUTHINKER_LOGIN_ATTEMPTS_PER_EMAIL,
    jwtSecret: secrets.jwtSecret,
    serviceToken: secrets.serviceToken,
    notices: Object.freeze([...resolution.notices]),
  } satisfies BackendConfig);
}
