import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { onAFreePort } from './free-port';
import { httpAnswers, StopWaiting, waitUntil } from './wait-until';

export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs one of our own service bundles (dist/apps/…/main.js) as a real
 * process on a free port, as production does, and waits for /health.
 */
export function startServiceProcess(
  bundle: string,
  env: NodeJS.ProcessEnv,
  options: { waitFor?: string | null; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  return env['PORT']
    ? startOn(bundle, env, Number(env['PORT']), options)
    : onAFreePort((port) => startOn(bundle, env, port, options));
}

async function startOn(
  bundle: string,
  env: NodeJS.ProcessEnv,
  port: number,
  { waitFor = '/health', timeoutMs = 20000 }: { waitFor?: string | null; timeoutMs?: number },
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env['PATH'], ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  process.once('exit', () => child.kill('SIGKILL'));

  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
  if (waitFor) {
    try {
      await waitUntil(
        `${bundle} ${waitFor}`,
        async () => {
          if (hasExited) throw new StopWaiting(`${bundle} exited during start-up`);
          return httpAnswers(`${service.url}${waitFor}`);
        },
        { timeoutMs },
      );
    } catch (error) {
      await service.stop('SIGKILL');
      throw new Error(`${(error as Error).message}\n--- output ---\n${output}`);
    }
  }
  return service;
}

/**
 * Runs a service bundle that should refuse to start (its configuration is
 * wrong) and resolves with its exit code and output. One that is still
 * running after `timeoutMs` is killed and fails the test with its output.
 */
export async function exitOfServiceProcess(
  bundle: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<{ code: number | null; output: string }> {
  const service = await startServiceProcess(bundle, env, { waitFor: null });
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    service.exited,
    new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  if (code === 'running') {
    await service.stop('SIGKILL');
    throw new Error(`${bundle} did not exit on its configuration:\n${service.output()}`);
  }
  return { code, output: service.output() };
}
