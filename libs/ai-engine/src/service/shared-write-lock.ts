/**
 * One document's index writes, one at a time across every gateway replica
 * (a Redis mutex in production, see RedisKeyedMutex). Within one replica the
 * retrieval service queues them itself; across replicas nothing else orders
 * them: two replicas re-indexing one document into one Chroma each list the
 * old chunks before the other's new ones exist, and both versions stay.
 */
export interface SharedWriteLock {
  /**
   * Runs `write` while no other replica holds `key`; settles as `write`
   * does. `waitingSince`: when the write arrived, before this replica's own
   * queue, from which its patience for the lock is counted.
   */
  holding<T>(
    key: string,
    write: () => Promise<T>,
    options: { signal?: AbortSignal; waitingSince: number },
  ): Promise<T>;
}
