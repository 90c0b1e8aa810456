import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, type Stores } from '@docuthinker/stores';
/* eslint-disable @nx/enforce-module-boundaries -- the libs' contract suites are test code, outside their public API */
import { cacheStoreContract } from '../../../libs/stores/test/contracts/cache-store.contract';
import { rateLimiterContract } from '../../../libs/stores/test/contracts/rate-limiter.contract';
/* eslint-enable @nx/enforce-module-boundaries */
import { requireTopology, topologyFor } from '../src/integration-suite';

const topology = topologyFor(
  'Redis cache and rate-limiter contract suites (compose service redis)',
);

(topology ? describe : describe.skip)(
  'Redis cache and rate limiter on the compose topology',
  () => {
    let dataDir: string;
    let stores: Stores;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'integration-redis-'));
      stores = await createStores({
        dataDir,
        redisUrl: requireTopology(topology).redisUrl,
        redisStartupWaitMs: 10_000,
      });
    });
    afterAll(async () => {
      await stores?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    // createStores falls back to memory when Redis does not answer in time;
    // the contracts below would then pass without touching Redis.
    it('uses Redis, not the in-process fallback', async () => {
      expect(stores.adapters.cache).toBe('redis');
      expect((await stores.health()).components.cache).toMatchObject({ ok: true });
    });

    cacheStoreContract(() => stores.cache);
    rateLimiterContract(() => stores.rateLimiters);
  },
);
