import { spawnSync } from 'node:child_process';

export interface CfnLintFinding {
  readonly rule: string;
  readonly message: string;
  readonly file: string;
}

/** The cfn-lint version on PATH, or undefined when it is not installed. */
export function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export function runCfnLint(files: string[]): CfnLintFinding[] {
  const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const parsed = JSON.parse(result.stdout || '[]') as {
    Rule: { Id: string };
    Message: string;
    Filename: string;
  }[];
  return parsed.map((match) => ({
    rule: match.Rule.Id,
    message: match.Message,
    file: match.Filename,
  }));
}
