import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { MemoryCacheStore } from './cache/memory-cache-store';
import type { DataStores } from './data-stores';
import { createEmbeddedDataStores } from './embedded/create-embedded-data-stores';
import { LocalFileStore } from './files/local-file-store';
import type { CacheStore } from './ports/cache-store';
import type { ChatSessionStore } from './ports/chat-session-store';
import type { DocumentStore } from './ports/document-store';
import type { FileStore } from './ports/file-store';
import type { OutboxStore } from './ports/outbox-store';
import type { UserStore } from './ports/user-store';
import {
  MemoryRateLimiterFactory,
  type RateLimiterFactory,
} from '@docuthinker/runtime/rate-limits';
import type { Clock } from './shared/clock';
import { boundedS3ClientConfig } from './files/bounded-s3-client-config';
import type { HealthReport } from './shared/health';

/** Structurally a subset of `BackendConfig` from `@docuthinker/config`, plus test hooks. */
export interface StoresConfig {
  /** Embedded data (the libSQL file) and, by default, local files live under it. */
  readonly dataDir: string;
  /** Set: users, documents, chat sessions and outbox on MongoDB; unset: embedded libSQL. */
  readonly mongodbUri?: string;
  readonly mongodbDatabase?: string;
  /** Set: cache and rate limits on Redis; unset: in process. */
  readonly redisUrl?: string;
  /** Set: original files in this S3 bucket; unset: `localDocumentsDir`. */
  readonly documentsBucket?: string;
  /** Defaults to `<dataDir>/documents`. */
  readonly localDocumentsDir?: string;
  /** Overrides for the S3 client (endpoint, region, credentials), e.g. for an emulator. */
  readonly s3ClientConfig?: S3ClientConfig;
  readonly chatSessionTtlMs?: number;
  /** How long start-up waits for Redis before going on without it (default 2000 ms). */
  readonly redisStartupWaitMs?: number;
  /** Told once an outage why Redis is out of reach (errors never throw from the stores). */
  readonly onRedisError?: (error: Error) => void;
  /** Told when Redis is reachable again after such an outage. */
  readonly onRedisRecovered?: () => void;
  readonly clock?: Clock;
}

export interface StoresAdapters {
  readonly data: DataStores['adapter'];
  readonly cache: 'redis' | 'memory';
  readonly files: 's3' | 'local';
}

export interface StoresHealth {
  /**
   * False when data or files are unusable. The cache does not count: without
   * it requests are still served (slower), so it must not take the service
   * out of rotation; its report is still listed.
   */
  readonly ok: boolean;
  readonly components: {
    readonly data: HealthReport;
    readonly cache: HealthReport;
    readonly files: HealthReport;
  };
}

export interface Stores {
  readonly adapters: StoresAdapters;
  readonly users: UserStore;
  readonly documents: DocumentStore;
  readonly chatSessions: ChatSessionStore;
  readonly outbox: OutboxStore;
  readonly cache: CacheStore;
  readonly rateLimiters: RateLimiterFactory;
  readonly files: FileStore;
  health(): Promise<StoresHealth>;
  close(): Promise<void>;
}

const DEFAULT_REDIS_STARTUP_WAIT_MS = 2000;

/**
 * Builds every store, picking the production adapter where its URL or bucket
 * is configured and the embedded one otherwise. Refusing embedded adapters in
 * production is `@docuthinker/config`'s job, before this is called.
 */
export async function createStores(config: StoresConfig): Promise<Stores> {
  // Production adapters (and their drivers) load only when configured, so a
  // service on embedded defaults does not pay for MongoDB, Redis or the S3 SDK
  // at start-up (about 300 ms together).
  const data = config.mongodbUri
    ? await (
        await import('./mongo/create-mongo-data-stores')
      ).createMongoDataStores({
        uri: config.mongodbUri,
        databaseName: config.mongodbDatabase,
        chatSessionTtlMs: config.chatSessionTtlMs,
        clock: config.clock,
      })
    : createEmbeddedDataStores({
        dataDir: config.dataDir,
        chatSessionTtlMs: config.chatSessionTtlMs,
        clock: config.clock,
      });

  const redisModule = config.redisUrl ? await import('./cache/redis-adapters') : undefined;
  const redis =
    redisModule && config.redisUrl
      ? redisModule.createRedisClient(config.redisUrl, {
          onError: config.onRedisError,
          onRecovered: config.onRedisRecovered,
        })
      : undefined;
  let cache: CacheStore = new MemoryCacheStore();
  let rateLimiters: RateLimiterFactory = new MemoryRateLimiterFactory();
  if (redisModule && redis) {
    await redisModule.waitForRedis(
      redis,
      config.redisStartupWaitMs ?? DEFAULT_REDIS_STARTUP_WAIT_MS,
    );
    cache = new (await import('./cache/redis-cache-store')).RedisCacheStore(redis);
    rateLimiters = new redisModule.RedisRateLimiterFactory(redis);
  }

  let files: FileStore = new LocalFileStore(
    config.localDocumentsDir ?? join(config.dataDir, 'documents'),
  );
  let s3: { destroy(): void } | undefined;
  if (config.documentsBucket) {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { S3FileStore } = await import('./files/s3-file-store');
    const client = new S3Client(boundedS3ClientConfig(config.s3ClientConfig));
    s3 = client;
    files = new S3FileStore(client, config.documentsBucket);
  }

  return {
    adapters: {
      data: data.adapter,
      cache: redis ? 'redis' : 'memory',
      files: s3 ? 's3' : 'local',
    },
    users: data.users,
    documents: data.documents,
    chatSessions: data.chatSessions,
    outbox: data.outbox,
    cache,
    rateLimiters,
    files,
    async health() {
      const [dataReport, cacheReport, filesReport] = await Promise.all([
        data.health(),
        cache.health(),
        files.health(),
      ]);
      return {
        ok: dataReport.ok && filesReport.ok,
        components: { data: dataReport, cache: cacheReport, files: filesReport },
      };
    },
    async close() {
      await data.close();
      if (redisModule && redis) await redisModule.closeRedisClient(redis);
      s3?.destroy();
    },
  };
}
