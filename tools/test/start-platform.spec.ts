import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpAnswers, waitUntil } from '@docuthinker/testing';

const root = join(__dirname, '../..');

const BUNDLE = /dist\/apps\/(backend|aiml-gateway)\/main\.js/;

/**
 * The launcher's children that run one of our bundles, as "pid: command".
 * Only its own: other suites (the gateway's lifecycle test) run the same
 * bundles at the same time.
 */
function bundleChildrenOf(parentPid: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (parent === parentPid && BUNDLE.test(cmdline)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Which of `processes` ("pid: command") still run that command. */
function stillRunning(processes: readonly string[]): string[] {
  return processes.filter((entry) => {
    const [pid, command] = entry.split(': ');
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') === command;
    } catch {
      return false;
    }
  });
}

describe('npm start (tools/dev/start-platform.mjs)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // PORT set in the shell (another project's, say) must not send both services
  // to one port, nor NODE_ENV=production make them refuse the embedded defaults.
  it('serves both services on 5000 and 8000, even with PORT and NODE_ENV=production set, and SIGINT stops both with exit 0', async () => {
    const launcher = spawn(
      process.execPath,
      [join(root, 'tools/dev/start-platform.mjs'), '--no-build'],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DOCUTHINKER_DATA_DIR: dataDir,
          PORT: '9190',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    launcher.stdout.on('data', (chunk) => (output += chunk));
    launcher.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) =>
      launcher.on('exit', (code) => resolve(code)),
    );
    let services: string[] = [];
    try {
      await waitUntil(
        'both services',
        async () =>
          (await httpAnswers('http://127.0.0.1:5000/ready')) &&
          (await httpAnswers('http://127.0.0.1:8000/ready')),
        { timeoutMs: 20000 },
      );
      for (const url of ['http://127.0.0.1:5000', 'http://127.0.0.1:8000']) {
        expect((await fetch(`${url}/health`)).status).toBe(200);
        expect((await fetch(`${url}/ready`)).status).toBe(200);
      }
      expect(output).toContain('[backend]');
      expect(output).toContain('[aiml-gateway]');
      services = bundleChildrenOf(launcher.pid ?? -1);
      expect(services).toHaveLength(2);
    } finally {
      launcher.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stillRunning(services)).toEqual([]);
  });
});
