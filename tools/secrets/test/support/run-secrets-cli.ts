import { spawn } from 'node:child_process';
import { join } from 'node:path';

// Built by `nx run tools:build-secrets` (the tools test target depends on it).
const CLI = join(__dirname, '../../../../dist/tools/secrets/main.js');

export interface SecretsCliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built secrets CLI as an operator would, against the Secrets
 * Manager at `endpoint` (moto) with test credentials and nothing else from
 * this process's environment, `stdin` as its input.
 */
export function runSecretsCli(
  endpoint: string,
  args: readonly string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<SecretsCliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env['PATH'],
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
