import {
  closeRedisClient,
  createRedisClient,
  RedisTokensValidFrom,
  waitForRedis,
} from '@docuthinker/runtime/redis';

/** As long as the stores wait for their Redis at start-up, which is the same one. */
const STARTUP_WAIT_MS = 2000;

/**
 * The tokens-valid-from record on the backend's Redis (REDIS_URL), where the
 * gateway reads revocations. A connection of its own: the stores keep theirs
 * private. main.ts imports this module only when REDIS_URL is set, as the
 * stores load their Redis adapter, so the driver is not loaded for nothing.
 * Start-up waits for it no longer than the stores wait: until it connects,
 * or while Redis is down, a write fails at once and the revocation is logged
 * as unpublished. Its connection errors are not logged here: the stores'
 * client, on the same Redis, already says when it is unavailable.
 */
export async function connectTokensValidFrom(
  url: string,
  { startupWaitMs = STARTUP_WAIT_MS }: { startupWaitMs?: number } = {},
): Promise<{ record: RedisTokensValidFrom; close: () => Promise<void> }> {
  const client = createRedisClient(url);
  await waitForRedis(client, startupWaitMs);
  return { record: new RedisTokensValidFrom(client), close: () => closeRedisClient(client) };
}
