import { setTimeout as sleep } from 'node:timers/promises';
import { backendFields, ConfigError, envVarDocs, REDACTED } from '@docuthinker/config';
import type { Logger } from '@docuthinker/runtime';
import type { Stores } from '@docuthinker/stores';

export interface OpenStoresOptions {
  logger: Logger;
  /** Aborted on shutdown: stop retrying. */
  signal: AbortSignal;
  retryMs?: number;
  /**
   * Called once, when the first attempt fails or has not opened the stores
   * within `slowOpenMs` (to start serving /health and the 503s meanwhile).
   */
  serveMeanwhile?: () => Promise<void>;
  /**
   * How long an attempt may take before serveMeanwhile is called. Found in
   * review: an unreachable MongoDB fails only after the driver's 5 s server
   * selection, and nothing listened until then.
   */
  slowOpenMs?: number;
}

/** Longer than opening reachable stores takes; short against a probe's patience. */
const SLOW_OPEN_MS = 1000;

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
  options: OpenStoresOptions,
): Promise<Stores | undefined> {
  let serving: Promise<void> | undefined;
  const serveMeanwhile = () => {
    serving ??= options.serveMeanwhile?.() ?? Promise.resolve();
    // Handled here so that a failure while an attempt runs (the port is
    // taken) is not an unhandled rejection; it is thrown below all the same.
    serving.catch(() => undefined);
    return serving;
  };
  const slow = setTimeout(serveMeanwhile, options.slowOpenMs ?? SLOW_OPEN_MS);
  try {
    const stores = await retryOpening(open, options, serveMeanwhile);
    await serving;
    return stores;
  } finally {
    clearTimeout(slow);
  }
}

async function retryOpening(
  open: () => Promise<Stores>,
  { logger, signal, retryMs = 2000 }: OpenStoresOptions,
  serveMeanwhile: () => Promise<void>,
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
      if (attempt === 1) await serveMeanwhile();
      await sleep(retryMs, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}
