import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveImageTag } from '../settings/image-tag';
import { SettingsError } from '../settings/settings-error';
import { secretPrefixFor } from '../settings/stage-names';
import { REGISTRY_STACK_NAME } from '../registry/registry-stack';
import {
  isStageName,
  STAGE_NAMES,
  STAGE_SETTINGS,
  type StageName,
} from '../settings/stage-settings';
import { withoutSdkNodeNotice } from '@docuthinker/config';
import { hasAwsCredentials } from './aws-credentials';
import {
  contextValue,
  deploymentContextArgs,
  deploymentVariableFor,
  givesGatewayAProvider,
  notifiesOnAlarm,
  servesHttps,
} from './deployment-context';
import { checkDeploymentSettings } from './deployment-settings';

/**
 * What `nx synth|diff|deploy infra --configuration=<stage>` runs: checks what
 * would otherwise surface as a page of CDK output (stage, image tag, the
 * deployment's settings, AWS credentials) and reports each in one line, then
 * runs the CDK CLI.
 */
const ACTIONS = ['synth', 'diff', 'deploy', 'deploy-registry'] as const;
/** After the stage: make diff's or deploy's checks, then stop (no AWS, no CDK). */
const PREFLIGHT_ONLY = '--preflight-only';
type Action = (typeof ACTIONS)[number];

const infraRoot = resolve(__dirname, '..', '..');

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/**
 * Fails in one line on a bad deployment setting, naming the variable it came
 * from when the environment gave it and the message does not (the operator
 * set DOCUTHINKER_DEV_PROVIDER_KEYS, not `-c aiProviders`).
 */
function checkSettings(
  label: string,
  stage: StageName,
  cdkArguments: readonly string[],
  passThrough: readonly string[],
): void {
  try {
    checkDeploymentSettings(stage, cdkArguments);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    const variable =
      contextValue(passThrough, error.setting) === undefined
        ? deploymentVariableFor(stage, process.env, error.setting)
        : undefined;
    const named = !variable || error.message.includes(variable);
    fail(`${label}: ${error.message}${named ? '' : ` (from ${variable})`}`);
  }
}

async function main(): Promise<void> {
  const [action, stage, ...cdkArguments] = process.argv.slice(2);
  // Only tools/ci's dry runs pass it (ci_infra_preflight): an argument, not a
  // variable, so that no environment can turn a real deploy into a check.
  const preflightOnly = cdkArguments.includes(PREFLIGHT_ONLY);
  const passThrough = cdkArguments.filter((argument) => argument !== PREFLIGHT_ONLY);
  if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
    fail(`infra: action must be one of ${ACTIONS.join(', ')} (got ${action ?? 'nothing'})`);
  }
  if (!isStageName(stage))
    fail(`infra: stage must be one of ${STAGE_NAMES.join(', ')} (got ${stage ?? 'nothing'})`);
  const settings = STAGE_SETTINGS[stage];
  if ((action as Action) === 'deploy-registry') {
    await deployRegistry(stage, passThrough);
    return;
  }
  const synthOnly = (action as Action) === 'synth';

  let imageTag: string;
  try {
    imageTag = resolveImageTag({
      stage,
      fromContext: contextValue(passThrough, 'imageTag'),
      fromEnvironment: process.env.IMAGE_TAG,
      synthOnly,
    });
  } catch (error) {
    if (error instanceof SettingsError) fail(`${action} infra (${stage}): ${error.message}`);
    throw error;
  }

  const deploymentArgs = deploymentContextArgs(stage, process.env);
  checkSettings(
    `${action} infra (${stage})`,
    stage,
    [...deploymentArgs, ...passThrough],
    passThrough,
  );
  if (
    !synthOnly &&
    settings.requiresHttps &&
    !servesHttps(settings, [...deploymentArgs, ...passThrough])
  ) {
    const variable = `DOCUTHINKER_${stage.toUpperCase()}`;
    fail(
      `${action} infra (${stage}): HTTPS is not configured - set ${variable}_DOMAIN_NAME and ${variable}_CERTIFICATE_ARN (or _HOSTED_ZONE_ID and _HOSTED_ZONE_NAME for a DNS-validated certificate); without them the load balancer would serve HTTP only`,
    );
  }

  if (!synthOnly && !givesGatewayAProvider(settings, [...deploymentArgs, ...passThrough])) {
    fail(
      `${action} infra (${stage}): the gateway has no LLM provider - set DOCUTHINKER_${stage.toUpperCase()}_PROVIDER_KEYS (or DOCUTHINKER_PROVIDER_KEYS) to the providers whose ${secretPrefixFor(stage)}<provider> key secret exists, e.g. openai,google, or pass -c aimlUpstreamImage=<image>; without one the gateway exits at start`,
    );
  }

  if (
    !synthOnly &&
    settings.requiresAlarmEmail &&
    !notifiesOnAlarm(settings, [...deploymentArgs, ...passThrough])
  ) {
    fail(
      `${action} infra (${stage}): no alarm e-mail - set DOCUTHINKER_${stage.toUpperCase()}_ALARM_EMAIL (or DOCUTHINKER_ALARM_EMAIL, or pass -c alarmEmail=<address>) to the on-call address; without it the alarm topic has no subscriber and ${stage}'s alarms reach nobody`,
    );
  }

  // A pipeline step's dry run (tools/ci/run-step diff|deploy --dry-run) runs
  // these checks and stops here, before AWS credentials and the CDK: found
  // in an exploratory test, a dry run passed where the run stopped at once.
  if (!synthOnly && preflightOnly) {
    console.log(
      `${action} infra (${stage}): the stage's settings pass the checks for image tag ${imageTag} (preflight only: no AWS call, no CDK)`,
    );
    process.exit(0);
  }

  // The CLI uses the AWS SDK too: without the switch it prints the SDK's
  // multi-line Node-version notice on every diff and deploy.
  const env: NodeJS.ProcessEnv = {
    ...withoutSdkNodeNotice(process.env),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    // The CLI overwrites CDK_DEFAULT_REGION; AWS_REGION is what reaches the SDK.
    AWS_REGION: settings.region,
  };
  if (synthOnly) {
    // Synth never needs AWS; without this the CLI probes the instance metadata service.
    env.AWS_EC2_METADATA_DISABLED = 'true';
  } else if (!(await hasAwsCredentials(settings.region))) {
    fail(
      `${action} infra (${stage}): no AWS credentials found - set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached`,
    );
  }

  const outputDir = join('cdk.out', stage);
  const args = [
    action as string,
    '--output',
    outputDir,
    '-c',
    `stage=${stage}`,
    '-c',
    `imageTag=${imageTag}`,
  ];
  args.push(...deploymentArgs);
  if (synthOnly) args.push('-c', 'synthOnly=true', '--quiet');
  if (action === 'deploy') {
    const outputsFile = join('cdk.out', `${stage}-outputs.json`);
    mkdirSync(join(infraRoot, 'cdk.out'), { recursive: true });
    args.push('--all', '--outputs-file', outputsFile);
  }
  args.push(...passThrough);

  const status = runCdk(args, env);
  if (status === 0 && synthOnly) {
    console.log(
      `synth infra (${stage}): templates in libs/infra/${outputDir} (image tag ${imageTag})`,
    );
  }
  process.exit(status);
}

/**
 * `nx run infra:deploy-registry`: the image repositories' stack alone, which
 * must exist before the first image is pushed (see RegistryStack). It needs
 * no image tag, HTTPS or provider settings: the app is synthesized as for
 * synth, and only that stack is deployed.
 */
async function deployRegistry(stage: StageName, passThrough: string[]): Promise<void> {
  const settings = STAGE_SETTINGS[stage];
  // Only `-c` values given here reach this synth; the environment's are not passed.
  checkSettings(`deploy-registry infra (${stage})`, stage, passThrough, passThrough);
  if (!settings.ownsImageRepositories) {
    const owner = STAGE_NAMES.find((name) => STAGE_SETTINGS[name].ownsImageRepositories);
    fail(
      `deploy-registry infra (${stage}): ${stage} does not own the image repositories; ${owner ?? 'no stage'} does`,
    );
  }
  if (!(await hasAwsCredentials(settings.region))) {
    fail(
      `deploy-registry infra (${stage}): no AWS credentials found - set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached`,
    );
  }
  process.exit(
    runCdk(
      [
        'deploy',
        REGISTRY_STACK_NAME,
        '--exclusively',
        '--output',
        join('cdk.out', `${stage}-registry`),
        '-c',
        `stage=${stage}`,
        '-c',
        'synthOnly=true',
        ...passThrough,
      ],
      {
        ...withoutSdkNodeNotice(process.env),
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_REGION: settings.region,
      },
    ),
  );
}

/** Runs the workspace's CDK CLI in libs/infra; returns its exit status. */
function runCdk(args: string[], env: NodeJS.ProcessEnv): number {
  const cdk = join(infraRoot, '..', '..', 'node_modules', '.bin', 'cdk');
  return spawnSync(cdk, args, { cwd: infraRoot, env, stdio: 'inherit' }).status ?? 1;
}

main().catch((error: unknown) =>
  fail(`infra: ${error instanceof Error ? error.message : String(error)}`),
);
