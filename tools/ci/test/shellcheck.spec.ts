import { spawnSync } from 'node:child_process';
import { announceSkipped, commandWorks } from './support/announce-skipped';
import { shellFiles, WORKSPACE_ROOT } from './support/workspace-files';

const shellcheckAvailable = commandWorks('shellcheck', ['--version']);
if (!shellcheckAvailable)
  announceSkipped('shellcheck over the CI and container scripts', 'shellcheck not installed');

(shellcheckAvailable ? describe : describe.skip)('the CI and container shell scripts', () => {
  it('pass shellcheck, following the library they source', () => {
    const run = spawnSync('shellcheck', ['--format=gcc', ...shellFiles()], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('shellcheck is live: it reports an unquoted expansion', () => {
    const run = spawnSync('shellcheck', ['--format=gcc', '-'], {
      encoding: 'utf8',
      input: '#!/usr/bin/env bash\nrm $1\n',
    });
    expect(run.stdout).toContain('SC2086');
  });
});
