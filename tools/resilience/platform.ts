import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  findFreePort,
  startChroma,
  startRedis,
  startServiceProcess,
  type RunningService,
  type ServiceProcess,
} from '@docuthinker/testing';
import { startNginxBalancer } from './nginx-balancer';
import { crashSupervisedService } from './process-kill';

/** The built services (`nx build backend aiml-gateway`), with the files they load beside them. */
const BUILT_SERVICES = { backend: 'dist/apps/backend', gateway: 'dist/apps/aiml-gateway' };

/**
 * Copies the built services aside for one run, so a rebuild during the
 * run (it empties dist/apps/…) cannot pull a bundle from under a restart.
 * The copy stays inside the workspace so the bundles still resolve
 * node_modules. Returns the copy's root; remove it when done.
 */
export function snapshotBuiltServices(): string {
  const root = join('dist', `.resilience-${process.pid}`);
  for (const [name, dir] of Object.entries(BUILT_SERVICES)) {
    cpSync(dir, join(root, name), { recursive: true });
  }
  return root;
}

/**
 * Liveness first (the harness probes with a 1 s deadline), then readiness
 * with more patience: on a busy 2-core machine a cold process can take over
 * a second for its first /ready, which is slowness, not unreadiness.
 */
const STARTUP = { waitFor: '/health', timeoutMs: 60_000 };
const READY_PROBE_MS = 5000;

async function untilReady(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + STARTUP.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${service.url}/ready`, {
        signal: AbortSignal.timeout(READY_PROBE_MS),
      });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.stop('SIGKILL');
  throw new Error(`${service.url}/ready never answered 200 (last: ${last})\n${service.output()}`);
}

function hasExited(service: ServiceProcess | undefined): boolean {
  return !service || service.child.exitCode !== null || service.child.signalCode !== null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The whole platform as local processes: Redis and Chroma from the harness,
 * the gateway, two backends that share one embedded store (the libSQL file
 * and the files directory under one data dir; SQLite's WAL locking makes
 * that safe for processes on one machine) and the same Redis, and nginx in
 * front of the backends. Ports stay fixed across restarts, as a task's
 * address does behind a target group.
 */
export class Platform {
  redis!: RunningService;
  chroma!: RunningService;
  gateway!: ServiceProcess;
  readonly backends: ServiceProcess[] = [];
  nginx!: RunningService;

  private readonly secrets = {
    DOCUTHINKER_JWT_SECRET: randomBytes(32).toString('hex'),
    DOCUTHINKER_SERVICE_TOKEN: randomBytes(32).toString('hex'),
  };

  private constructor(
    /** From `snapshotBuiltServices`. */
    private readonly servicesRoot: string,
    readonly workDir: string,
    readonly backendDataDir: string,
    readonly gatewayDataDir: string,
    readonly chromaDir: string,
    readonly gatewayPort: number,
    readonly backendPorts: readonly number[],
  ) {}

  static async start(workDir: string, servicesRoot: string): Promise<Platform> {
    const dir = (name: string) => {
      const path = join(workDir, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const platform = new Platform(
      servicesRoot,
      workDir,
      dir('backend-data'),
      dir('gateway-data'),
      dir('chroma'),
      await findFreePort(),
      [await findFreePort(), await findFreePort()],
    );
    [platform.redis, platform.chroma] = await Promise.all([
      startRedis(),
      startChroma({ dataDir: platform.chromaDir }),
    ]);
    await platform.startGateway();
    await platform.startBackend(0);
    await platform.startBackend(1);
    platform.nginx = await startNginxBalancer(workDir, platform.backendPorts);
    return platform;
  }

  get url(): string {
    return this.nginx.url;
  }

  backendUrl(index: number): string {
    return `http://127.0.0.1:${this.backendPorts[index]}`;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  get serviceToken(): string {
    return this.secrets.DOCUTHINKER_SERVICE_TOKEN;
  }

  async startBackend(index: number): Promise<ServiceProcess> {
    const backend = await startServiceProcess(
      join(this.servicesRoot, 'backend', 'main.js'),
      {
        ...this.secrets,
        NODE_ENV: 'development',
        PORT: String(this.backendPorts[index]),
        DOCUTHINKER_DATA_DIR: this.backendDataDir,
        REDIS_URL: this.redis.url,
        DOCUTHINKER_AIML_URL: this.gatewayUrl,
        DOCUTHINKER_LOG_LEVEL: 'warn',
        DOCUTHINKER_DRAIN_TIMEOUT_MS: '10000',
        // The scenarios sign up many accounts from loopback (the crash test one
        // per write); the sign-up limiter has its own tests.
        DOCUTHINKER_REGISTRATIONS_PER_HOUR: '1000000',
        // Load from a few users far beyond a person's AI calls per minute; the
        // limit has its own tests.
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
      STARTUP,
    );
    this.backends[index] = backend;
    await untilReady(backend);
    return backend;
  }

  async startGateway(): Promise<ServiceProcess> {
    this.gateway = await startServiceProcess(
      join(this.servicesRoot, 'gateway', 'main.js'),
      {
        ...this.secrets,
        NODE_ENV: 'development',
        PORT: String(this.gatewayPort),
        DOCUTHINKER_DATA_DIR: this.gatewayDataDir,
        DOCUTHINKER_CHROMA_URL: this.chroma.url,
        DOCUTHINKER_AI_PROVIDERS: 'local',
        DOCUTHINKER_LOG_LEVEL: 'warn',
        DOCUTHINKER_DRAIN_TIMEOUT_MS: '10000',
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
      STARTUP,
    );
    await untilReady(this.gateway);
    return this.gateway;
  }

  /** kill -9 of Redis; `restartRedis` brings an empty one back on the same port. */
  crashRedis(): Promise<void> {
    return crashSupervisedService(this.redis);
  }

  async restartRedis(): Promise<void> {
    this.redis = await startRedis({ port: this.redis.port });
  }

  crashChroma(): Promise<void> {
    return crashSupervisedService(this.chroma);
  }

  /** Same port and the same persisted directory, as an ECS task on EFS comes back. */
  async restartChroma(): Promise<void> {
    this.chroma = await startChroma({ dataDir: this.chromaDir, port: this.chroma.port });
  }

  /**
   * Starts again whatever a failed scenario left down, so one failure does
   * not fail the scenarios after it. Returns what had to be restarted.
   */
  async heal(): Promise<string[]> {
    const restarted: string[] = [];
    if (!isAlive(this.redis.pid)) {
      await this.restartRedis();
      restarted.push('redis');
    }
    if (!isAlive(this.chroma.pid)) {
      await this.restartChroma();
      restarted.push('chroma');
    }
    if (hasExited(this.gateway)) {
      await this.startGateway();
      restarted.push('gateway');
    }
    for (const index of [0, 1]) {
      if (hasExited(this.backends[index])) {
        await this.startBackend(index);
        restarted.push(`backend ${index + 1}`);
      }
    }
    return restarted;
  }

  async stop(): Promise<void> {
    await this.nginx?.stop();
    await Promise.all(this.backends.map((backend) => backend.stop()));
    await this.gateway?.stop();
    await Promise.all([this.redis?.stop(), this.chroma?.stop()]);
  }
}
