import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onAFreePort } from './free-port';
import { StopWaiting, waitUntil } from './wait-until';

export interface RunningService {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:PORT` or `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly pid: number;
  /** Recent output, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) the server itself, below its
   * supervisor: a hung server, whose sockets stay open and answer nothing.
   */
  freeze(frozen: boolean): void;
}

export interface LocalServiceSpec {
  name: string;
  command: string;
  args: (port: number) => string[];
  url: (port: number) => string;
  ready: (port: number) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Fixed port (for restart tests); a free one is picked when absent. */
  port?: number;
}

const SUPERVISOR = join(__dirname, 'supervise.cjs');
const OUTPUT_LIMIT = 16 * 1024;
const running = new Set<ChildProcess>();

// Last line of defence for a test process that exits without stopping its
// services: the supervisors also notice the parent is gone and clean up.
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/**
 * Starts a real server on a loopback port under a supervisor that kills it if
 * this process dies, and waits until it is ready.
 */
export function startLocalService(spec: LocalServiceSpec): Promise<RunningService> {
  return spec.port === undefined
    ? onAFreePort((port) => startOn(spec, port))
    : startOn(spec, spec.port);
}

async function startOn(spec: LocalServiceSpec, port: number): Promise<RunningService> {
  const child = spawn(
    process.execPath,
    [SUPERVISOR, String(process.pid), spec.command, ...spec.args(port)],
    { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit');
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    running.delete(child);
  });

  const service: RunningService = {
    name: spec.name,
    host: '127.0.0.1',
    port,
    url: spec.url(port),
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      if (hasExited) return;
      child.kill('SIGTERM');
      await exited;
    },
    freeze(frozen) {
      if (hasExited || child.pid === undefined) return;
      // The supervisor's children: the server it started (Linux's /proc).
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8');
      for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
        process.kill(Number(pid), frozen ? 'SIGSTOP' : 'SIGCONT');
      }
    },
  };

  try {
    await waitUntil(
      spec.name,
      async () => {
        if (hasExited) throw new StopWaiting(`${spec.name} exited during start-up`);
        return spec.ready(port);
      },
      { timeoutMs: spec.timeoutMs ?? 20000 },
    );
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}\n--- ${spec.name} output ---\n${output}`);
  }
  return service;
}
