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

/** Every shell file of tools/ci: the dispatcher, the steps and their library. */
export function shellFiles(): string[] {
  return [
    'tools/ci/run-step',
    ...['steps', 'lib'].flatMap((dir) =>
      readdirSync(join(CI_DIR, dir))
        .filter((file) => file.endsWith('.sh'))
        .map((file) => `tools/ci/${dir}/${file}`),
    ),
  ];
}
