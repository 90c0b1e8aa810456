// The process handling of `npm start` (start-platform.mjs), apart from the
// build, so its test can run it on stand-in services that start in
// milliseconds instead of the real bundles.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';

// One Ctrl-C can arrive twice: the terminal signals the whole foreground
// process group, and `npm start` forwards the SIGINT it got to its child too
// (when the script shell execs node, as bash does, that child is this
// launcher). Measured ~20 ms apart; a signal this soon after the first is the
// same Ctrl-C, not a second one asking to force the stop.
const SAME_STOP_REQUEST_MS = 500;
// `npm start` killed outright (kill -9) sends this launcher nothing: it is
// only given another parent. No event says so, hence a poll.
const PARENT_POLL_MS = 500;

/**
 * Runs each service (`args` for this node binary, `env` its own variables
 * over the shared ones) in its own process group,
 * its output prefixed with its name, and resolves to the platform's exit
 * code: 0 if every service exited 0, 1 otherwise. If one exits on its own,
 * the others are stopped too and the code is 1.
 *
 * The first SIGINT or SIGTERM stops the services gracefully: each gets
 * SIGTERM once and drains. A second one while they drain forces the stop:
 * whatever still runs is killed (SIGKILL, with anything it started), one line
 * says so, and the process exits 128 + the signal's number (130 for Ctrl-C).
 */
export function superviseServices(services, { cwd, env }) {
  const running = services.map(({ name, args, env: own = {} }) => {
    const child = spawn(process.execPath, args, {
      cwd,
      // A service's own variables (its PORT) over the shared ones.
      env: { ...env, ...own },
      // The IPC channel is the service's lifeline: it closes when this
      // launcher ends, even by SIGKILL, and the service then stops itself
      // (followSupervisor of installGracefulShutdown, libs/runtime).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Own process group: Ctrl-C reaches only this launcher, which stops each
      // service exactly once (a second signal would make a service exit 1).
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        process.stdout.write(`[${name}] ${line}\n`),
      );
    }
    const exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
    );
    return { name, child, exited };
  });
  const stillRunning = () =>
    running.filter(({ child }) => child.exitCode === null && child.signalCode === null);

  let stopping = false;
  function stopAll() {
    if (stopping) return;
    stopping = true;
    for (const { child } of stillRunning()) child.kill('SIGTERM');
  }

  let firstSignalAt;
  function onSignal(signal) {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      const names = stillRunning().map(({ name }) => name);
      if (names.length > 0) {
        process.stderr.write(`stopping ${names.join(', ')}; press Ctrl-C again to force\n`);
      }
      stopAll();
      return;
    }
    if (Date.now() - firstSignalAt < SAME_STOP_REQUEST_MS) return;
    const killed = stillRunning();
    for (const { child } of killed) killGroup(child);
    process.stderr.write(
      `forced stop on a second ${signal}: killed ${killed.map(({ name }) => name).join(', ') || 'nothing, all had exited'}\n`,
    );
    process.exit(128 + constants.signals[signal]);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // The script runs this launcher with exec (package.json), so its parent is
  // npm itself; once npm is gone the services stop as on a first Ctrl-C.
  const parentAtStart = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid === parentAtStart) return;
    clearInterval(parentWatch);
    // Already stopping (a Ctrl-C that npm, too, took as its cue to leave).
    if (stopping) return;
    const names = stillRunning().map(({ name }) => name);
    process.stderr.write(
      `the process that started this one (pid ${parentAtStart}) is gone; stopping ${names.join(', ') || 'nothing, all had exited'}\n`,
    );
    stopAll();
  }, PARENT_POLL_MS);
  parentWatch.unref();
  // However this process exits, no service outlives it (a SIGKILL, which
  // runs no handler, closes the IPC channel instead: see above).
  process.on('exit', () => {
    for (const { child } of stillRunning()) killGroup(child);
  });

  for (const service of running) {
    service.exited.then((code) => {
      if (!stopping) {
        process.stderr.write(
          `${service.name} exited unexpectedly (code ${code}); stopping the platform\n`,
        );
        process.exitCode = 1;
        stopAll();
      }
    });
  }
  return Promise.all(running.map(({ exited }) => exited)).then(
    (codes) => process.exitCode ?? (codes.every((code) => code === 0) ? 0 : 1),
  );
}

/** SIGKILL to the service's process group, so nothing it started is left behind either. */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // No group of its own (Windows) or already gone: the child itself, if anything.
    child.kill('SIGKILL');
  }
}
