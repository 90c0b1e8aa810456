import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');
export const CI_DIR = join(WORKSPACE_ROOT, 'tools', 'ci');
export const WORKFLOW_FILES = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'];

export function readWorkspaceFile(path: string): string {
  return readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
}

/** The steps tools/ci/run-step can run: tools/ci/steps/<step>.sh. */
export function stepNames(): string[] {
  return readdirSync(join(CI_DIR, 'steps'))
    .filter((file) => file.endsWith('.sh'))
    .map((file) => file.slice(0, -'.sh'.length))
    .sort();
}

/**
 * Every shell file the pipelines and CI run: tools/ci's dispatcher, steps and
 * library, the container scripts, and .ci/run itself.
 */
export function shellFiles(): string[] {
  const shellFilesIn = (dir: string) =>
    readdirSync(join(WORKSPACE_ROOT, dir))
      .filter((file) => file.endsWith('.sh'))
      .map((file) => `${dir}/${file}`);
  return [
    '.ci/run',
    'tools/ci/run-step',
    ...['tools/ci/steps', 'tools/ci/lib', 'tools/containers'].flatMap(shellFilesIn),
  ];
}
