import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@docuthinker/runtime';
import type { Stores } from '@docuthinker/stores';

export interface OpenStoresOptions {
  logger: Logger;
  /** Aborted on shutdown: stop retrying. */
  signal: AbortSignal;
  retryMs?: number;
  /** Called once, after the first failed attempt (e.g. to start serving /health). */
  onFirstFailure?: () => Promise<void>;
}

/**
 * Opens the stores, retrying until they answer: a database that starts after
 * the service (compose, a failover) delays readiness instead of crashing it.
 * Resolves undefined when shut down first.
 */
export async function openStores(
  open: () => Promise<Stores>,
  { logger, signal, retryMs = 2000, onFirstFailure }: OpenStoresOptions,
): Promise<Stores | undefined> {
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      const stores = await open();
      if (signal.aborted) {
        await stores.close();
        return undefined;
      }
      return stores;
    } catch (error) {
      logger.error(
        { attempt, error: error instanceof Error ? error.message : String(error) },
        'stores unavailable; retrying',
      );
      if (attempt === 1) await onFirstFailure?.();
      await sleep(retryMs, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}
