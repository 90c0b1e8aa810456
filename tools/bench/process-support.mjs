// Starting and stopping the processes a benchmark measures.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  return { url, port, stop };
}
