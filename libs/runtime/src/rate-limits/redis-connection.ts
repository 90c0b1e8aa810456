import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /**
   * Told why Redis is out of reach, e.g. to log it: once an outage (the
   * first failure; the reconnects after it say nothing new), and once when
   * the client stops for good. Errors never throw from the stores.
   */
  readonly onError?: (error: Error) => void;
  /** Told when the client is connected again after an outage onError was told of. */
  readonly onRecovered?: () => void;
}

/** How long to wait for a TCP connection to Redis. */
const CONNECT_TIMEOUT_MS = 1000;
/** A command that gets no answer in this time fails (and the cache reads as a miss). */
const COMMAND_TIMEOUT_MS = 500;
/**
 * A connection that owes answers and has said nothing for this long is
 * dropped and made again. A Redis that hangs (stopped, or a network path
 * that black-holes) keeps the socket open: each command would then wait out
 * its own timeout, on every request, for as long as the hang lasts. Dropped,
 * the client is not ready, and commands fail at once (no offline queue).
 */
const SOCKET_TIMEOUT_MS = 2000;
/** TCP keep-alive probes on an idle connection, so a peer that vanished is noticed. */
const KEEP_ALIVE_DELAY_MS = 10_000;
const MAX_RECONNECT_DELAY_MS = 2000;
/**
 * How long `disconnect()` waits for a socket to close before destroying it.
 * ioredis arms this timer even for a socket that already failed, so a long
 * value only delays process exit after closing during an outage.
 */
const DISCONNECT_TIMEOUT_MS = 300;

/**
 * An ioredis client tuned to fail fast: while Redis is unreachable, commands
 * are rejected at once (no offline queue) or after a short timeout instead of
 * waiting, and the client keeps reconnecting in the background forever.
 */
export function createRedisClient(url: string, options: RedisConnectionOptions = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    keepAlive: KEEP_ALIVE_DELAY_MS,
    maxRetriesPerRequest: 0,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  // Without a listener, ioredis reports every failed reconnect as an unhandled error event.
  let stopped = false;
  /** Stops the client for good, saying why: the service runs as while Redis is unreachable. */
  const stopBecause = (why: string) => {
    stopped = true;
    client.disconnect();
    options.onError?.(new Error(why));
  };
  // Reconnects run every couple of seconds while Redis is away, each failing
  // again: reported each, they wrote some 1,800 lines an hour per replica
  // (found in an exploratory test).
  let outageReported = false;
  client.on('ready', () => {
    if (!outageReported) return;
    outageReported = false;
    options.onRecovered?.();
  });
  client.on('error', (error: Error) => {
    // What the stopped connection's pending commands fail with says nothing new.
    if (stopped) return;
    if (isRefusedCredentials(error)) {
      // Not an outage that passes: reconnecting logged the refusal every
      // couple of seconds for as long as the service ran (found in review).
      stopBecause(
        `Redis refused the credentials in REDIS_URL (${error.message.split(' ')[0]}): ` +
          'not connecting again until the service restarts with the right ones',
      );
    } else if (isMissingDatabase(error)) {
      // ioredis reports a refused SELECT and goes on in database 0, where
      // another application's keys may live: the client stops instead.
      stopBecause(
        `Redis has no database ${client.options.db} (the number in REDIS_URL's path): ` +
          'not connecting rather than using database 0',
      );
    } else if (!outageReported) {
      outageReported = true;
      options.onError?.(error);
    }
  });
  return client;
}

/** The server's answer to a wrong password, or to none where one is required. */
function isRefusedCredentials(error: Error): boolean {
  return error.name === 'ReplyError' && /^(WRONGPASS|NOAUTH)\b/.test(error.message);
}

/** The server's answer to a SELECT of a database number it does not have. */
function isMissingDatabase(error: Error): boolean {
  return error.name === 'ReplyError' && /\bDB index is out of range\b/i.test(error.message);
}

/**
 * Starts connecting and waits up to `timeoutMs` for the client to be ready.
 * Resolves false (never rejects) when Redis is not there: the service starts
 * degraded and the client connects when Redis appears.
 */
export async function waitForRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'wait') client.connect().catch(() => undefined);
  if (client.status === 'ready') return true;
  return new Promise((resolve) => {
    const finish = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => finish(true);
    const timer = setTimeout(() => finish(false), timeoutMs);
    client.once('ready', onReady);
  });
}

/** Closes the connection, waiting for in-flight replies when Redis is reachable. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
