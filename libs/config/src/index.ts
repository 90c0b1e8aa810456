export { ConfigError, type ConfigProblem } from './config-error';
export {
  LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
  SERVER_KEEP_ALIVE_TIMEOUT_MS,
} from './connection-timeouts';
export { envVarDocs, type EnvVarDoc } from './env-fields';
export { hasUndecodablePunycodeLabel, hostOfUrl } from './punycode-labels';
export {
  LOG_LEVELS,
  NODE_ENVS,
  type LogLevel,
  type NodeEnv,
  type ServiceConfigBase,
} from './common-fields';
export { backendFields, loadBackendConfig, type BackendConfig } from './backend-config';
export {
  AI_PROVIDERS,
  DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
  gatewayFields,
  loadGatewayConfig,
  type AiProvider,
  type GatewayConfig,
} from './gateway-config';
export type { Environment } from './parse-environment';
export {
  PLATFORM_SECRETS,
  SECRET_PREFIX,
  qualifiedSecretId,
  secretByName,
  secretByVariable,
  secretPrefixProblem,
  secretsFor,
  type PlatformSecret,
  type ServiceName,
} from './secret-catalogue';
export { isKeyValueSecretString } from './plain-secret';
export { secretValueProblem } from './secret-values';
export { silenceSdkNodeNotice, withoutSdkNodeNotice } from './aws-sdk-node-notice';
export {
  DEFAULT_SECRETS_TIMEOUT_MS,
  SecretsLoadError,
  createSecretsClient,
  loadSecretsIntoEnvironment,
  secretsRequestTimeouts,
  loadConfigWithSecrets,
  type LoadSecretsOptions,
  type LoadSecretsResult,
} from './secrets-loader';
export { REDACTED, SENSITIVE_LOG_PATHS, createRedactor, secretValuesFrom } from './redact';
