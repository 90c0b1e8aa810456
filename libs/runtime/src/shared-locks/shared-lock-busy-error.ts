/**
 * A lock the service's replicas share stayed with another holder for longer
 * than a caller waits: the work may be retried later (a 503 with Retry-After).
 */
export class SharedLockBusyError extends Error {
  override readonly name = 'SharedLockBusyError';
  constructor(readonly waitedMs: number) {
    super(`another replica held the lock for more than ${waitedMs} ms`);
  }
}
