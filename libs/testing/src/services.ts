import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startLocalService, type RunningService } from './local-service';
import { httpAnswers } from './wait-until';

function requireBinary(name: string, candidates: string[], install: string): string {
  const pathDirs = (process.env['PATH'] ?? '').split(':');
  for (const candidate of candidates) {
    if (
      candidate.includes('/')
        ? existsSync(candidate)
        : pathDirs.some((dir) => existsSync(join(dir, candidate)))
    ) {
      return candidate;
    }
  }
  throw new Error(`${name} is not installed here (${install}); .ci/run installs it`);
}

/** moto's server: a real HTTP emulation of Secrets Manager and S3 for the AWS SDK. */
export function startMoto(): Promise<RunningService> {
  const command = requireBinary('moto_server', ['moto_server'], 'pip install "moto[server]"');
  return startLocalService({
    name: 'moto',
    command,
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)],
    url: (port) => `http://127.0.0.1:${port}`,
    ready: (port) => httpAnswers(`http://127.0.0.1:${port}/moto-api/`),
    // moto's Python start-up took 15 s with the CPU ~9× oversubscribed, as it
    // can be when several test projects start one at once in CI.
    timeoutMs: 60_000,
  });
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Debian's redis-server, in memory only. Pass `port` to restart on the same address. */
export function startRedis(options: { port?: number } = {}): Promise<RunningService> {
  const command = requireBinary(
    'redis-server',
    ['/usr/bin/redis-server', 'redis-server'],
    'apt-get install redis-server',
  );
  return startLocalService({
    name: 'redis',
    command,
    port: options.port,
    args: (port) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    url: (port) => `redis://127.0.0.1:${port}`,
    ready: redisPing,
  });
}

/** chromadb does not export its package.json, so find its root from its entry point. */
function chromaCliPath(): string {
  let dir = dirname(require.resolve('chromadb'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'dist', 'cli.mjs');
}

/**
 * The Chroma server shipped in the `chromadb` npm package, persisting to
 * `dataDir`. Without one it uses a temporary directory of its own, removed
 * by stop(); a `dataDir` passed in is left for the caller (e.g. to restart on it).
 */
export async function startChroma(
  options: { dataDir?: string; port?: number } = {},
): Promise<RunningService> {
  const cli = chromaCliPath();
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'docuthinker-chroma-'));
  const removeOwnDataDir = () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const chroma = await startLocalService({
    name: 'chroma',
    command: process.execPath,
    port: options.port,
    args: (port) => [cli, 'run', '--path', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    url: (port) => `http://127.0.0.1:${port}`,
    ready: (port) => httpAnswers(`http://127.0.0.1:${port}/api/v2/heartbeat`),
    timeoutMs: 30000,
  }).catch((error: unknown) => {
    removeOwnDataDir();
    throw error;
  });
  return {
    ...chroma,
    async stop() {
      await chroma.stop();
      removeOwnDataDir();
    },
  };
}
