import { setTimeout as sleep } from 'node:timers/promises';
import { backendFields, ConfigError, envVarDocs, REDACTED } from '@docuthinker/config';
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
 * The MongoDB driver's error for a connection string it cannot read
 * (`?bogusOption=1`, `tls=maybe`, an SRV record's bad TXT options). The URI
 * is wrong, and retrying it for ever kept /ready at 503 with the reason
 * buried in a log line per attempt. Validation asks the same parser at
 * start-up; this catches what only connecting reveals.
 */
function isMongoUriRefusal(error: unknown): error is Error {
  return error instanceof Error && error.name === 'MongoParseError';
}

/**
 * One line naming MONGODB_URI, with the driver's reason. A URI the reason
 * quotes is masked whole: its user info may be anywhere in it.
 */
function mongoUriRefusal(error: Error): ConfigError {
  const reason = error.message.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/\S*/g, REDACTED);
  return new ConfigError('backend', [
    {
      variable: 'MONGODB_URI',
      problem: `is refused by the MongoDB driver: ${reason.replace(/\s+/g, ' ')}`,
      expected: envVarDocs.get(backendFields.MONGODB_URI)?.expected ?? 'a MongoDB URI',
    },
  ]);
}

/**
 * Opens the stores, retrying until they answer: a database that starts after
 * the service (compose, a failover) delays readiness instead of crashing it.
 * A connection string the driver refuses is no outage: it rejects with a
 * ConfigError at once. Resolves undefined when shut down first.
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
      if (isMongoUriRefusal(error)) throw mongoUriRefusal(error);
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
