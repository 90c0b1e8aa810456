/**
 * The driver's errors for no server to talk to: none selectable in time, a
 * connection refused, cut or timed out, a client closed (a process draining
 * for shutdown) or not connected.
 */
const UNAVAILABLE_MONGO_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
]);

/**
 * Server codes that mean "no usable primary or connection right now": the
 * set the MongoDB driver itself retries reads and writes on (its
 * RETRYABLE_READ_ERROR_CODES, not exported), reached here once its own one
 * retry failed too (an election, a failover, a node shutting down).
 */
const UNAVAILABLE_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * True when a data store (MongoDB, or the embedded database file) failed
 * because it is out of reach or busy for now: the same request can succeed
 * once it is back, so it is the service's 503, not a bug's 500. A rejected
 * query, a duplicate key or a validation error is not an outage.
 *
 * Found in review: with MongoDB down or failing over, every request was
 * answered 500 `DT_ERR_INTERNAL`, without `Retry-After`.
 */
export function isDataStoreOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, hasErrorLabel } = error as {
    name?: unknown;
    code?: unknown;
    hasErrorLabel?: unknown;
  };
  if (typeof name !== 'string') return false;
  // Matched by name: the driver loads only when MongoDB is configured.
  if (UNAVAILABLE_MONGO_ERRORS.has(name)) return true;
  if (name.startsWith('Mongo') && typeof hasErrorLabel === 'function') {
    const labelled = (label: string) => hasErrorLabel.call(error, label) === true;
    return (
      labelled('TransientTransactionError') ||
      labelled('RetryableWriteError') ||
      UNAVAILABLE_SERVER_CODES.has(Number(code))
    );
  }
  // The embedded file held by another process past the busy timeout (the
  // task being replaced still writing to it); libsql reports the extended
  // codes too (SQLITE_BUSY_SNAPSHOT: review).
  return (
    name === 'SqliteError' &&
    typeof code === 'string' &&
    (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  );
}
