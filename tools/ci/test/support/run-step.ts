import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WORKSPACE_ROOT } from './workspace-files';

export interface StepResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines the step printed as commands ("+ ..."), without the marker. */
  readonly commands: string[];
}

/** A throw-away directory for a test's state files and fake commands. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ci-${prefix}-`));
}

/** PATH without the directories that hold `command`, so a step finds it missing. */
export function pathWithout(command: string, path = process.env.PATH ?? ''): string {
  return path
    .split(delimiter)
    .filter((dir) => dir !== '' && !existsSync(join(dir, command)))
    .join(delimiter);
}

/**
 * Every stage's deployment variables, as a pipeline sets them for the steps
 * that deploy, so that the preflight a dry run of diff, deploy or rollback
 * runs passes unless a test says otherwise (an empty string unsets one).
 */
export const DEPLOYMENT_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  (['DEV', 'STAGING', 'PROD', 'DR'] as const).flatMap((stage) => [
    [`DOCUTHINKER_${stage}_DOMAIN_NAME`, `${stage.toLowerCase()}.docuthinker.example.com`],
    [
      `DOCUTHINKER_${stage}_CERTIFICATE_ARN`,
      `arn:aws:acm:${stage === 'DR' ? 'us-west-2' : 'us-east-1'}:123456789012:certificate/${stage.toLowerCase()}`,
    ],
    [`DOCUTHINKER_${stage}_PROVIDER_KEYS`, 'openai'],
    [`DOCUTHINKER_${stage}_ALARM_EMAIL`, 'oncall@docuthinker.example.com'],
  ]),
);

/** The steps a pipeline gives the deployment variables. */
const DEPLOYING_STEPS: ReadonlySet<string> = new Set(['diff', 'deploy', 'rollback']);

/**
 * The environment a step sees: the caller's PATH and HOME, and nothing from
 * the pipeline unless a test sets it, so a developer's STAGE or IMAGE_TAG
 * cannot leak in. The tests run on whatever Node the machine has, so install
 * only warns about a release other than .nvmrc's unless a test says otherwise.
 */
function stepEnvironment(args: readonly string[], env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CONTAINER_ENGINE: 'docker',
    DOCUTHINKER_ALLOW_OTHER_NODE: 'true',
    ...(DEPLOYING_STEPS.has(args[0] ?? '') ? DEPLOYMENT_VARIABLES : {}),
    ...env,
  };
}

function result(status: number | null, stdout: string, stderr: string): StepResult {
  const commands = stdout
    .split('\n')
    .filter((line) => line.startsWith('+ '))
    .map((line) => line.slice(2));
  return { status, stdout, stderr, commands };
}

/** Runs `tools/ci/run-step <args>` from the workspace root and waits for it. */
export function runStep(args: string[], env: Record<string, string> = {}): StepResult {
  const run = spawnSync('bash', [join(WORKSPACE_ROOT, 'tools/ci/run-step'), ...args], {
    cwd: WORKSPACE_ROOT,
    env: stepEnvironment(args, env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return result(run.status, run.stdout, run.stderr);
}

/** Like runStep, without blocking the event loop (for steps that call a server in this process). */
export function runStepAsync(
  args: string[],
  env: Record<string, string> = {},
): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(WORKSPACE_ROOT, 'tools/ci/run-step'), ...args], {
      cwd: WORKSPACE_ROOT,
      env: stepEnvironment(args, env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve(result(status, stdout, stderr)));
  });
}

/** Index of the first command containing `fragment`, failing loudly when there is none. */
export function commandIndex(commands: string[], fragment: string): number {
  const index = commands.findIndex((command) => command.includes(fragment));
  if (index < 0) throw new Error(`no command contains "${fragment}":\n${commands.join('\n')}`);
  return index;
}
