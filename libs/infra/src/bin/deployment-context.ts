import { domainNameFromContext } from '../settings/context-settings';
import { STAGE_SETTINGS, type StageName, type StageSettings } from '../settings/stage-settings';

/**
 * CDK context keys of a deployment's own values, by the variable suffix a
 * pipeline sets them with (tools/ci/test/pipeline-shape.spec.ts checks that
 * every deploy job of deploy.yml passes each one).
 */
export const DEPLOYMENT_CONTEXT_KEYS = {
  DOMAIN_NAME: 'domainName',
  CERTIFICATE_ARN: 'certificateArn',
  HOSTED_ZONE_ID: 'hostedZoneId',
  HOSTED_ZONE_NAME: 'hostedZoneName',
  // Which optional provider-key secrets exist (openai,anthropic,google): only
  // those are given to the gateway, since ECS refuses a task whose secret is missing.
  PROVIDER_KEYS: 'aiProviders',
  // Who hears the stage's alarms: without it the alarm topic has no subscriber.
  ALARM_EMAIL: 'alarmEmail',
  // The FastAPI sidecar's image, when the stage runs one beside the gateway.
  AIML_UPSTREAM_IMAGE: 'aimlUpstreamImage',
  // `true` once prod and dr have both been deployed: each documents bucket then
  // replicates to the other's (S3 refuses a rule whose destination is missing).
  REPLICATE_DOCUMENTS: 'replicateDocuments',
  // Origins of a browser front end served elsewhere than the API (the
  // services' DOCUTHINKER_CORS_ORIGINS): without them the browser is refused.
  CORS_ORIGINS: 'corsOrigins',
} as const;

/**
 * The variable a deployment value is read from: the stage's own
 * (`DOCUTHINKER_PROD_DOMAIN_NAME`, for a Jenkins that holds every stage's
 * values) or the plain one (`DOCUTHINKER_DOMAIN_NAME`, for a GitHub
 * environment that holds one stage's). A blank one counts as unset: a Jenkins
 * global property left empty must not hide the plain variable. Undefined when
 * neither holds a value.
 */
function sourceVariable(
  stage: StageName,
  environment: NodeJS.ProcessEnv,
  suffix: string,
): string | undefined {
  return [`DOCUTHINKER_${stage.toUpperCase()}_${suffix}`, `DOCUTHINKER_${suffix}`].find(
    (name) => (environment[name] ?? '').trim() !== '',
  );
}

/**
 * `-c key=value` arguments for a deployment's HTTPS, provider keys, alarm
 * e-mail, FastAPI image, documents replication switch and CORS origins from
 * the environment (see sourceVariable for which variable wins).
 * They are the deployment's, not the repository's, so they are never committed.
 */
export function deploymentContextArgs(stage: StageName, environment: NodeJS.ProcessEnv): string[] {
  return Object.entries(DEPLOYMENT_CONTEXT_KEYS).flatMap(([suffix, key]) => {
    const variable = sourceVariable(stage, environment, suffix);
    return variable ? ['-c', `${key}=${environment[variable]?.trim()}`] : [];
  });
}

/**
 * The variable deploymentContextArgs took the context value `key` from, so
 * that an error about the value can name what the operator actually set;
 * undefined when the environment does not give it.
 */
export function deploymentVariableFor(
  stage: StageName,
  environment: NodeJS.ProcessEnv,
  key: string,
): string | undefined {
  const entry = Object.entries(DEPLOYMENT_CONTEXT_KEYS).find(
    ([, contextKey]) => contextKey === key,
  );
  return entry ? sourceVariable(stage, environment, entry[0]) : undefined;
}

/**
 * The domain a deploy of the stage from this environment serves HTTPS on:
 * the variable deploy passes as `-c domainName=` (trimmed; a blank stage
 * variable counts as unset), read by the CDK app's own rule, else the one
 * committed in the stage settings. Undefined when the stage has none. Throws
 * the SettingsError deploy would stop with for a malformed one.
 */
export function deployedDomainName(
  stage: StageName,
  environment: NodeJS.ProcessEnv,
): string | undefined {
  const cdkArguments = deploymentContextArgs(stage, environment);
  return (
    domainNameFromContext((key) => contextValue(cdkArguments, key)) ??
    STAGE_SETTINGS[stage].https?.domainName
  );
}

/**
 * The value of `-c <key>=<value>` among CDK arguments, as the CLI reads it
 * (the last one given wins); undefined when none names `key`.
 */
export function contextValue(cdkArguments: readonly string[], key: string): string | undefined {
  const prefix = `${key}=`;
  let value: string | undefined;
  cdkArguments.forEach((arg, index) => {
    const flag = cdkArguments[index - 1];
    // `-c key=value` and `--context key=value`, or joined: `--context=key=value`.
    const given =
      flag === '-c' || flag === '--context' ? arg : /^(?:-c|--context)=(.*)$/s.exec(arg)?.[1];
    if (given?.startsWith(prefix)) value = given.slice(prefix.length);
  });
  return value;
}

/**
 * Whether a stage that must serve HTTPS will: a domain committed in its
 * settings, or given to this run (from the environment or as `-c domainName=`).
 * Without one the load balancer listens on HTTP only, and a deploy would take
 * away a 443 listener set up before.
 */
export function servesHttps(settings: StageSettings, cdkArguments: readonly string[]): boolean {
  return settings.https !== undefined || /^\S/.test(contextValue(cdkArguments, 'domainName') ?? '');
}

/**
 * Whether the gateway will have an LLM provider: a provider-key secret named
 * for this run (`-c aiProviders=`, from `DOCUTHINKER_<STAGE>_PROVIDER_KEYS`)
 * or the FastAPI container beside it. Without either, the deployed gateway
 * (NODE_ENV=production) refuses to start and ECS keeps replacing it.
 */
export function givesGatewayAProvider(
  settings: StageSettings,
  cdkArguments: readonly string[],
): boolean {
  return (
    settings.aimlUpstreamImage !== undefined ||
    ['aiProviders', 'aimlUpstreamImage'].some((key) =>
      /^\s*[^\s,]/.test(contextValue(cdkArguments, key) ?? ''),
    )
  );
}

/**
 * Whether the stage's alarms will reach someone: an e-mail committed in its
 * settings, or given to this run (`DOCUTHINKER_<STAGE>_ALARM_EMAIL` or
 * `-c alarmEmail=`). Without one the alarm topic has no subscriber, and an
 * outage alarms nobody.
 */
export function notifiesOnAlarm(settings: StageSettings, cdkArguments: readonly string[]): boolean {
  return (
    settings.alarmEmail !== undefined ||
    /^\s*\S/.test(contextValue(cdkArguments, 'alarmEmail') ?? '')
  );
}
