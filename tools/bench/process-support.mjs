// Starting and stopping the processes a benchmark measures.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './bench-support.mjs';

/** Sends `signal` to `child` unless it has already exited, and waits for it to exit. */
export async function stopChildProcess(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/<pid>/stat times on Linux

/**
 * CPU time (user + system, µs) used so far by process `pid` and its child
 * processes (nginx's workers under its master), from /proc; undefined where
 * there is no /proc. Resolution 10 ms: meant for runs of seconds.
 */
export function processTreeCpuMicros(pid) {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  // Fields after the command name: state is the first, utime the 12th, stime the 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
  let micros = ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  for (const child of children ? children.split(' ') : []) {
    micros += processTreeCpuMicros(Number(child)) ?? 0;
  }
  return micros;
}

/** Runs `file` with node on a free port (embedded defaults) and waits for `readyPath` to answer 200. */
export async function startProcess(file, { readyPath = '/health', env = {} } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-bench-'));
  const child = spawn(process.execPath, [file], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      NODE_ENV: 'development',
      DOCUTHINKER_LOG_LEVEL: 'warn',
      DOCUTHINKER_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChildProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30000;
  for (;;) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${file} did not become ready`);
    }
    try {
      const response = await fetch(`${url}${readyPath}`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url, port, pid: child.pid, stop };
}

/**
 * Starts processes one after another, each starter given those started
 * before it; if one fails to start, stops the ones already running before
 * rethrowing, so a benchmark that cannot begin leaves nothing behind.
 */
export async function startInOrder(...starters) {
  const started = [];
  try {
    for (const start of starters) started.push(await start(started));
    return started;
  } catch (error) {
    await Promise.all(started.map((running) => running.stop()));
    throw error;
  }
}
