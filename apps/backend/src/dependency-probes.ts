import { access, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { BackendConfig } from '@docuthinker/config';
import type { DependencyCheck } from '@docuthinker/runtime';

export interface DependencyProbes {
  checks: DependencyCheck[];
  close(): Promise<void>;
}

/** The embedded stores need nothing but a writable data directory. */
export function dataDirectoryCheck(name: string, dir: string): DependencyCheck {
  return {
    name,
    check: async () => {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    },
  };
}

/**
 * Readiness probes for the backend's configured stores: MongoDB and Redis
 * when their URLs are set, the embedded data directory otherwise. Clients
 * connect lazily and fail fast so an absent store makes /ready 503, not slow.
 */
export async function createDependencyProbes(config: BackendConfig): Promise<DependencyProbes> {
  const checks: DependencyCheck[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  // Drivers load only when their store is configured: embedded start-up stays fast.
  if (config.mongodbUri) {
    const { MongoClient } = await import('mongodb');
    const mongo = new MongoClient(config.mongodbUri, {
      serverSelectionTimeoutMS: 1500,
      connectTimeoutMS: 1500,
    });
    checks.push({
      name: 'mongodb',
      check: async () => void (await mongo.db().command({ ping: 1 })),
    });
    closers.push(() => mongo.close());
  } else {
    checks.push(dataDirectoryCheck('embedded-store', config.dataDir));
  }

  if (config.redisUrl) {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
    });
    redis.on('error', () => {
      // reported through /ready; ioredis reconnects on its own
    });
    checks.push({
      name: 'redis',
      check: async () => {
        if (redis.status === 'wait') await redis.connect();
        await redis.ping();
      },
    });
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
  }

  if (!config.documentsBucket) {
    checks.push(dataDirectoryCheck('local-documents', config.localDocumentsDir));
  }

  return {
    checks,
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
