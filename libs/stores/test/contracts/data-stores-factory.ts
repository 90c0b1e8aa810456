import type { DataStores } from '../../src/data-stores';
import { ManualClock } from '../support/manual-clock';

/**
 * Opens a fresh, empty set of data stores reading time from `clock`. Each
 * contract test gets its own, so counts and queues start at zero.
 */
export type OpenDataStores = (clock: ManualClock) => Promise<DataStores>;

/** Registers before/after hooks and returns accessors for the current test's stores and clock. */
export function useDataStores(open: OpenDataStores): {
  stores(): DataStores;
  clock(): ManualClock;
} {
  let current: DataStores | undefined;
  let clock = new ManualClock();
  beforeEach(async () => {
    clock = new ManualClock();
    current = await open(clock);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    stores: () => {
      if (!current) throw new Error('stores are only available inside a test');
      return current;
    },
    clock: () => clock,
  };
}
