import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, httpAnswers, waitUntil } from '@docuthinker/testing';

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

  /** `npm start` without its build step, with its output collected as it comes. */
  function startPlatform(env: Record<string, string> = {}, args: string[] = []) {
    const launcher = spawn(
      process.execPath,
      [join(root, 'tools/dev/start-platform.mjs'), '--no-build', ...args],
      {
        cwd: root,
        env: { ...process.env, DOCUTHINKER_DATA_DIR: dataDir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run = { output: '' };
    launcher.stdout.on('data', (chunk) => (run.output += chunk));
    launcher.stderr.on('data', (chunk) => (run.output += chunk));
    const exited = new Promise<number | null>((resolve) =>
      launcher.on('exit', (code) => resolve(code)),
    );
    return { launcher, run, exited };
  }

  const bothReady = () =>
    waitUntil(
      'both services',
      async () =>
        (await httpAnswers('http://127.0.0.1:5000/ready')) &&
        (await httpAnswers('http://127.0.0.1:8000/ready')),
      { timeoutMs: 20000 },
    );

  // PORT set in the shell (another project's, say) must not send both services
  // to one port, nor NODE_ENV=production make them refuse the embedded defaults.
  it('serves both services on 5000 and 8000, even with PORT and NODE_ENV=production set, and SIGINT stops both with exit 0', async () => {
    const { launcher, run, exited } = startPlatform({ NODE_ENV: 'production', PORT: '9190' });
    let services: string[] = [];
    try {
      await bothReady();
      for (const url of ['http://127.0.0.1:5000', 'http://127.0.0.1:8000']) {
        expect((await fetch(`${url}/health`)).status).toBe(200);
        expect((await fetch(`${url}/ready`)).status).toBe(200);
      }
      expect(run.output).toContain('[backend]');
      expect(run.output).toContain('[aiml-gateway]');
      services = bundleChildrenOf(launcher.pid ?? -1);
      expect(services).toHaveLength(2);
    } finally {
      launcher.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stillRunning(services)).toEqual([]);
  });

  // Found by an operator walkthrough: PORT was dropped and nothing else could
  // move the services, so a machine whose port 5000 was taken could not run it.
  it('runs both on the ports its flags name, the backend calling the gateway on its port', async () => {
    const backendPort = await findFreePort();
    const gatewayPort = await findFreePort();
    const { launcher, exited } = startPlatform({}, [
      '--backend-port',
      String(backendPort),
      '--gateway-port',
      String(gatewayPort),
    ]);
    try {
      await waitUntil(
        'both services on their ports',
        async () =>
          (await httpAnswers(`http://127.0.0.1:${backendPort}/ready`)) &&
          (await httpAnswers(`http://127.0.0.1:${gatewayPort}/ready`)),
        { timeoutMs: 20000 },
      );
      // A document is indexed only through the gateway: the backend calls it on its port.
      const backend = `http://127.0.0.1:${backendPort}`;
      const send = async (path: string, body?: object, token?: string) => {
        const response = await fetch(`${backend}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: {
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return (await response.json()) as Record<string, string>;
      };
      const { accessToken } = await send('/api/auth/register', {
        email: `ports-${Date.now()}@example.com`,
        password: 'correct horse battery',
      });
      const { id } = await send(
        '/api/documents',
        { title: 'Ports', text: 'The backend reaches the gateway on the port it was given.' },
        accessToken,
      );
      await waitUntil(
        'the document indexed through the gateway',
        async () =>
          (await send(`/api/documents/${id}`, undefined, accessToken))['indexStatus'] === 'indexed',
        { timeoutMs: 15000 },
      );
    } finally {
      launcher.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it.each([
    [['--backend-port', 'x']],
    [['--backend-port', '7000', '--gateway-port', '7000']],
    [['--backend-port', '7000', '--gateway-port', '07000']],
    [['--unknown']],
  ])('refuses %p with exit 2 and its usage, starting nothing', async (args) => {
    const { run, exited } = startPlatform({}, args);
    expect(await exited).toBe(2);
    expect(run.output).toMatch(/port|Unknown option/);
  });

  // `npm start` killed with SIGKILL: the launcher (exec'd by npm's script
  // shell) is only given another parent, and must notice.
  it('stops both services and exits when the process that started it is killed with SIGKILL', async () => {
    // A stand-in for npm: starts the launcher as its child, says its pid, waits.
    const npm = spawn(
      process.execPath,
      [
        '-e',
        `const launcher = require('node:child_process').spawn(process.execPath, [process.argv[1], '--no-build'], { stdio: 'inherit' });
         console.log('launcher ' + launcher.pid);
         setInterval(() => {}, 1000);`,
        join(root, 'tools/dev/start-platform.mjs'),
      ],
      {
        cwd: root,
        env: { ...process.env, DOCUTHINKER_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    npm.stdout.on('data', (chunk) => (output += chunk));
    npm.stderr.on('data', (chunk) => (output += chunk));
    let launcherPid = -1;
    let services: string[] = [];
    try {
      await waitUntil('the launcher pid', async () => /launcher (\d+)/.test(output));
      launcherPid = Number(/launcher (\d+)/.exec(output)?.[1]);
      await bothReady();
      services = bundleChildrenOf(launcherPid);
      expect(services).toHaveLength(2);
    } finally {
      npm.kill('SIGKILL');
    }
    try {
      await waitUntil(
        'the launcher and both services stopped',
        async () => stillRunning(services).length === 0 && !existsSync(`/proc/${launcherPid}`),
        { timeoutMs: 30000 },
      );
    } finally {
      for (const entry of stillRunning(services))
        process.kill(Number(entry.split(': ')[0]), 'SIGKILL');
      if (existsSync(`/proc/${launcherPid}`)) process.kill(launcherPid, 'SIGKILL');
    }
    expect(output).toMatch(/the process that started this one \(pid \d+\) is gone; stopping/);
    for (const url of ['http://127.0.0.1:5000/health', 'http://127.0.0.1:8000/health']) {
      await expect(fetch(url)).rejects.toThrow();
    }
  });

  // SIGKILL runs no handler in the launcher; the services, in process groups
  // of their own, would live on holding 5000 and 8000, and the next `npm start` fail.
  it('leaves no service running when the launcher is killed with SIGKILL', async () => {
    const { launcher, exited } = startPlatform();
    let services: string[] = [];
    try {
      await bothReady();
      services = bundleChildrenOf(launcher.pid ?? -1);
      expect(services).toHaveLength(2);
    } finally {
      launcher.kill('SIGKILL');
    }
    await exited;
    try {
      await waitUntil('both services stopped', async () => stillRunning(services).length === 0, {
        timeoutMs: 15000,
      });
    } finally {
      // Whatever the outcome, no orphan is left to hold the ports for the next suite.
      for (const entry of stillRunning(services))
        process.kill(Number(entry.split(': ')[0]), 'SIGKILL');
    }
    // Both ports free again: nothing listens any more.
    for (const url of ['http://127.0.0.1:5000/health', 'http://127.0.0.1:8000/health']) {
      await expect(fetch(url)).rejects.toThrow();
    }
  });
});
