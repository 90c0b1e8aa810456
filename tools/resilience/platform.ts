import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
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

export const BACKEND_BUNDLE = 'dist/apps/backend/main.js';
export const GATEWAY_BUNDLE = 'dist/apps/aiml-gateway/main.js';

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
    readonly workDir: string,
    readonly backendDataDir: string,
    readonly gatewayDataDir: string,
    readonly chromaDir: string,
    readonly gatewayPort: number,
    readonly backendPorts: readonly number[],
  ) {}

  static async start(workDir: string): Promise<Platform> {
    const dir = (name: string) => {
      const path = join(workDir, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const platform = new Platform(
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
      BACKEND_BUNDLE,
      {
        ...this.secrets,
        NODE_ENV: 'development',
        PORT: String(this.backendPorts[index]),
        DOCUTHINKER_DATA_DIR: this.backendDataDir,
        REDIS_URL: this.redis.url,
        DOCUTHINKER_AIML_URL: this.gatewayUrl,
        DOCUTHINKER_LOG_LEVEL: 'warn',
        DOCUTHINKER_DRAIN_TIMEOUT_MS: '10000',
      },
      { waitFor: '/ready' },
    );
    this.backends[index] = backend;
    return backend;
  }

  async startGateway(): Promise<ServiceProcess> {
    this.gateway = await startServiceProcess(
      GATEWAY_BUNDLE,
      {
        ...this.secrets,
        NODE_ENV: 'development',
        PORT: String(this.gatewayPort),
        DOCUTHINKER_DATA_DIR: this.gatewayDataDir,
        DOCUTHINKER_CHROMA_URL: this.chroma.url,
        DOCUTHINKER_AI_PROVIDERS: 'local',
        DOCUTHINKER_LOG_LEVEL: 'warn',
        DOCUTHINKER_DRAIN_TIMEOUT_MS: '10000',
      },
      { waitFor: '/ready' },
    );
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

  async stop(): Promise<void> {
    await this.nginx?.stop();
    await Promise.all(this.backends.map((backend) => backend.stop()));
    await this.gateway?.stop();
    await Promise.all([this.redis?.stop(), this.chroma?.stop()]);
  }
}
