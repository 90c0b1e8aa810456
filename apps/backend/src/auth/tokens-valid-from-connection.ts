import type { Logger } from '@docuthinker/runtime';
import {
  closeRedisClient,
  createRedisClient,
  RepublishedTokensValidFrom,
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
 * or while Redis is down, a write fails at once, and is made again later:
 * on a timer, and on every reconnect with every revocation this process
 * published that has not expired (a Redis that restarted may have lost them;
 * see RepublishedTokensValidFrom). Its connection errors are not logged here: the
 * stores' client, on the same Redis, already says when it is unavailable.
 */
export async function connectTokensValidFrom(
  url: string,
  {
    logger,
    startupWaitMs = STARTUP_WAIT_MS,
  }: { logger: Pick<Logger, 'warn'>; startupWaitMs?: number },
): Promise<{ record: RepublishedTokensValidFrom; close: () => Promise<void> }> {
  const client = createRedisClient(url);
  const record = new RepublishedTokensValidFrom(client, {
    onRepublishFailed: (error, users) =>
      logger.warn(
        { error: error.message, users },
        'token revocations not written to Redis: tried again shortly, and on every reconnect',
      ),
  });
  await waitForRedis(client, startupWaitMs);
  return {
    record,
    close: () => {
      record.close();
      return closeRedisClient(client);
    },
  };
}
