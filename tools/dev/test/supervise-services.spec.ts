import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { waitUntil } from '@docuthinker/testing';

const supervisor = pathToFileURL(join(__dirname, '../supervise-services.mjs')).href;
const launchers: ChildProcess[] = [];

// Stand-ins for the two services: one drains in 200 ms on SIGTERM, as a real
// service with nothing in flight does; one ignores SIGTERM, as a service
// stuck in its drain (a hung request, a 25 s drain timeout) looks.
const draining = `
  process.on('SIGTERM', () => { console.log('got SIGTERM'); setTimeout(() => process.exit(0), 200); });
  setInterval(() => {}, 1000);
  console.log('ready ' + process.pid);
`;
const stuck = `
  process.on('SIGTERM', () => console.log('got SIGTERM, still draining'));
  setInterval(() => {}, 1000);
  console.log('ready ' + process.pid);
`;

/** Runs superviseServices, as start-platform.mjs does, on the given stand-ins. */
function launch(services: Record<string, string>) {
  const harness = `
    import { superviseServices } from ${JSON.stringify(supervisor)};
    const services = ${JSON.stringify(
      Object.entries(services).map(([name, script]) => ({ name, args: ['-e', script] })),
    )};
    process.exit(await superviseServices(services, { cwd: process.cwd(), env: process.env }));
  `;
  const launcher = spawn(process.execPath, ['--input-type=module', '-e', harness], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launchers.push(launcher);
  // Read as the test goes: everything printed so far, and whether it ended.
  const run = { output: '', exited: false };
  launcher.stdout.on('data', (chunk) => (run.output += chunk));
  launcher.stderr.on('data', (chunk) => (run.output += chunk));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
    launcher.on('exit', (code) => {
      run.exited = true;
      resolve({ code, at: Date.now() });
    }),
  );
  return { launcher, run, exit };
}

/** Pid of each stand-in, once all of them have said they are ready. */
async function readyPids(run: { output: string }, names: string[]): Promise<number[]> {
  const pidOf = (name: string) => run.output.match(new RegExp(`\\[${name}\\] ready (\\d+)`))?.[1];
  await waitUntil('stand-ins ready', async () => names.every(pidOf), { timeoutMs: 10000 });
  return names.map((name) => Number(pidOf(name)));
}

/**
 * Only its parent reaps a process, and node records the exit (`exitCode`) in
 * the same step: once the pid is gone from /proc, the supervisor knows.
 */
function reaped(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}

/** A zombie waiting for its reaper counts as gone. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe('npm start stopping (tools/dev/supervise-services.mjs)', () => {
  const started: number[] = [];
  // A failed test must not leave a launcher or a stand-in behind.
  afterAll(() => {
    for (const launcher of launchers) if (launcher.exitCode === null) launcher.kill('SIGKILL');
    for (const pid of started.filter(isRunning)) process.kill(pid, 'SIGKILL');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'a second %s while a service drains kills what still runs and exits %i at once',
    async (signal, exitCode) => {
      const { launcher, run, exit } = launch({ draining, stuck });
      const pids = await readyPids(run, ['draining', 'stuck']);
      started.push(...pids);

      launcher.kill(signal);
      await waitUntil('first stop request handled', async () =>
        run.output.includes('[stuck] got SIGTERM, still draining'),
      );
      // Past the window in which a repeat is the same Ctrl-C (npm's forward),
      // which began before the line above was printed.
      await new Promise((resolve) => setTimeout(resolve, 700));
      // The drained one has exited (200 ms after its SIGTERM, or later on a
      // loaded machine), and the supervisor knows: only the stuck one is left.
      const [drainingPid] = pids;
      await waitUntil(
        'draining stand-in exited',
        async () => drainingPid !== undefined && reaped(drainingPid),
        { timeoutMs: 5000, intervalMs: 10 },
      );
      expect(run.exited).toBe(false);
      const secondAt = Date.now();
      launcher.kill(signal);

      const { code, at } = await exit;
      expect(code).toBe(exitCode);
      expect(at - secondAt).toBeLessThan(2000);
      const forced = run.output.split('\n').filter((line) => /forced/i.test(line));
      expect(forced).toEqual([`forced stop on a second ${signal}: killed stuck`]);
      await waitUntil('stand-ins gone', async () => !pids.some(isRunning), { timeoutMs: 2000 });
    },
  );

  it('stops gracefully on one Ctrl-C, even when it arrives twice (terminal and npm), and exits 0', async () => {
    const { launcher, run, exit } = launch({ backend: draining, gateway: draining });
    const pids = await readyPids(run, ['backend', 'gateway']);
    started.push(...pids);

    launcher.kill('SIGINT');
    // The copy follows once the first is handled, as npm's does ~20 ms after
    // the terminal's: sent together, the two could merge into one signal, and
    // after a fixed pause a loaded machine could put them past the window.
    await waitUntil(
      'first Ctrl-C handled',
      async () => run.output.includes('press Ctrl-C again to force'),
      { timeoutMs: 5000, intervalMs: 5 },
    );
    launcher.kill('SIGINT');

    expect((await exit).code).toBe(0);
    expect(run.output).not.toMatch(/forced/i);
    expect(run.output).toContain('press Ctrl-C again to force');
    // Each service got SIGTERM once: a second would make a real one exit 1.
    expect(run.output.match(/\[backend\] got SIGTERM/g)).toHaveLength(1);
    expect(run.output.match(/\[gateway\] got SIGTERM/g)).toHaveLength(1);
  });
});
