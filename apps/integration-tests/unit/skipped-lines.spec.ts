import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeContainerEngine } from './fake-container-engine';

const root = join(__dirname, '..', '..', '..');
const suites = readdirSync(join(__dirname, '..', 'test')).filter((file) =>
  file.endsWith('.spec.ts'),
);

/** The compose suites' jest run, as `nx run integration-tests:integration` starts it; its stdout. */
function runIntegrationSuites(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/jest/bin/jest.js'),
        '--config',
        join(root, 'apps/integration-tests/jest.integration.config.ts'),
        '--runInBand',
        '--ci',
      ],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', () => resolve(stdout));
  });
}

// Found in an exploratory test: jest's reporter held the last suite's line
// back and lost it when jest force-exited, so one skipped suite passed in
// silence (the Neo4j one, every time).
it('prints one SKIPPED line for every compose suite when the engine cannot pull its images', async () => {
  const engine = await startFakeContainerEngine([]);
  try {
    const stdout = await runIntegrationSuites({
      ...process.env,
      DOCKER_HOST: engine.dockerHost,
      TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
      DOCUTHINKER_IT_PULL_TIMEOUT_MS: '10000',
    });
    const skipped = stdout
      .split('\n')
      .filter((line) => line.startsWith('SKIPPED (no container runtime): '));
    expect(suites.length).toBeGreaterThanOrEqual(5);
    expect(skipped).toHaveLength(suites.length);
    expect(skipped.filter((line) => line.includes('Neo4j'))).toHaveLength(1);
  } finally {
    await engine.close();
  }
}, 120_000);
