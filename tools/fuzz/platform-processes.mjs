// Starts the built backend and gateway as real processes on embedded
// defaults, side by side, with secrets this run chose itself: the suites need
// to know them to forge tokens and to look for them in the logs. Everything
// both processes write to stdout and stderr is kept for that log scan.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root } from '../bench/bench-support.mjs';

const BUNDLES = {
  backend: join(root, 'dist/apps/backend/main.js'),
  gateway: join(root, 'dist/apps/aiml-gateway/main.js'),
};

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or null once the process is gone. */
function statusBytes(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** VmRSS of a live process in bytes, or null once it is gone. */
export function residentBytes(pid) {
  return statusBytes(pid, 'VmRSS');
}

/**
 * The highest VmRSS the process reached since it started or since
 * `resetPeakResident` (VmHWM): what a request used while it ran, which a
 * reading afterwards misses once a worker thread that held it is stopped.
 */
export function peakResidentBytes(pid) {
  return statusBytes(pid, 'VmHWM');
}

/** Starts VmHWM again from the current RSS (Linux: `5` to /proc/<pid>/clear_refs). */
export function resetPeakResident(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function waitForHealth(service, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode() !== undefined) break;
    if (await service.healthy()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${service.name} did not become healthy\n--- output ---\n${service.output()}`);
}

function startService(name, env) {
  return (async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BUNDLES[name]], {
      env: { PATH: process.env.PATH, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    let exit;
    const exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        resolve(exit);
      }),
    );
    // A suite that throws must not leave servers behind.
    process.once('exit', () => child.kill('SIGKILL'));
    const url = `http://127.0.0.1:${port}`;
    const service = {
      name,
      url,
      port,
      pid: child.pid,
      output: () => Buffer.concat(chunks).toString('utf8'),
      exitCode: () => exit,
      rss: () => residentBytes(child.pid),
      peakRss: () => peakResidentBytes(child.pid),
      resetPeakRss: () => resetPeakResident(child.pid),
      async healthy() {
        try {
          const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
          await response.arrayBuffer();
          return response.status === 200;
        } catch {
          return false;
        }
      },
      /** SIGTERM, then the exit state: a clean drain exits 0. */
      async stop() {
        if (!exit) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
        const state = await exited;
        clearTimeout(timer);
        return state;
      },
    };
    try {
      await waitForHealth(service);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  })();
}

/**
 * Both services on one data directory. `env` adds variables to both services,
 * `backendEnv` to the backend only (e.g. a smaller upload limit is never
 * needed: the defaults are what is tested).
 */
export async function startPlatform({ logLevel = 'info', env = {}, backendEnv = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-suite-'));
  const secrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    serviceToken: randomBytes(32).toString('base64url'),
  };
  const common = {
    NODE_ENV: 'development',
    DOCUTHINKER_DATA_DIR: dataDir,
    DOCUTHINKER_LOG_LEVEL: logLevel,
    DOCUTHINKER_JWT_SECRET: secrets.jwtSecret,
    DOCUTHINKER_SERVICE_TOKEN: secrets.serviceToken,
    ...env,
  };
  let gateway;
  let backend;
  try {
    gateway = await startService('gateway', common);
    backend = await startService('backend', {
      ...common,
      DOCUTHINKER_AIML_URL: gateway.url,
      ...backendEnv,
    });
  } catch (error) {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    backend,
    gateway,
    secrets,
    dataDir,
    logs: () => `${backend.output()}\n${gateway.output()}`,
    /** Stops both and returns their exit states; the data directory goes too. */
    async stop() {
      const backendExit = await backend.stop();
      const gatewayExit = await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return { backend: backendExit, gateway: gatewayExit };
    },
  };
}
