import { setTimeout as sleep } from 'node:timers/promises';
import { startOutboxWorker } from '../src/outbox/outbox-worker';
import { DocumentCache } from '../src/services/document-cache';
import {
  DOCUMENT_ID,
  OWNER_ID,
  createTestDocument,
  gatewayWith,
  silentLogger,
  useEmbeddedStores,
} from './support/outbox-fixture';

// Found by the fault suite (tools/resilience): after a backend was killed,
// the job it held stayed leased for two minutes. Leases are now short and
// extended while a worker is busy, so a crash delays a job by one short
// lease and a slow job is still never taken from a live worker.
describe('outbox job leases', () => {
  // Not shorter: renewals write to disk on the event loop, and a slow fsync or
  // a pause on a loaded CI machine must not let a live worker's lease lapse.
  const LEASE_MS = 2000;
  const stores = useEmbeddedStores('dt-outbox-lease-');
  const logger = silentLogger;

  const gatewayRemovingIn = (ms: number, removed: string[]) =>
    gatewayWith({
      removeFromIndex: async (_ownerId, documentId) => {
        await sleep(ms);
        removed.push(documentId);
      },
    });

  it('extends the lease of a job that takes longer than one lease, so no other worker takes it', async () => {
    await stores().outbox.enqueue({ kind: 'delete', ownerId: 'owner-1', documentId: 'slow-doc' });
    const removed: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayRemovingIn(LEASE_MS * 4, removed),
      new DocumentCache(stores().cache),
      logger,
      { leaseMs: LEASE_MS, pollIntervalMs: 20 },
    );
    try {
      // What a second backend sharing the store would try, twice past the first lease's end.
      for (let check = 0; check < 2; check += 1) {
        await sleep(LEASE_MS * 1.5);
        expect(await stores().outbox.claim({ leaseMs: LEASE_MS })).toBeNull();
      }
      while ((await stores().outbox.pendingCounts()).delete > 0) await sleep(20);
      expect(removed).toEqual(['slow-doc']);
    } finally {
      await worker.stop();
    }
  });

  it('stops within its grace while a job hangs, and leaves the job to its lease', async () => {
    await stores().outbox.enqueue({ kind: 'delete', ownerId: 'owner-1', documentId: 'hung-doc' });
    let started = false;
    const worker = startOutboxWorker(
      stores(),
      {
        ...gatewayRemovingIn(0, []),
        // A gateway that took the call and never answers.
        removeFromIndex: () => {
          started = true;
          return new Promise<void>(() => undefined);
        },
      },
      new DocumentCache(stores().cache),
      logger,
      { leaseMs: LEASE_MS, pollIntervalMs: 20 },
    );
    while (!started) await sleep(20);
    const stopping = performance.now();
    await worker.stop(200);
    // Bounded by the grace, not by the call: a bound that catches a hang.
    expect(performance.now() - stopping).toBeLessThan(5_000);
    // No longer extended, the lease lapses and the job goes to whoever claims next.
    await sleep(LEASE_MS * 1.5);
    const next = await stores().outbox.claim({ leaseMs: LEASE_MS });
    expect(next).toMatchObject({ kind: 'delete', documentId: 'hung-doc' });
  });

  it('takes over the job of a crashed worker once its short lease lapses', async () => {
    await stores().outbox.enqueue({ kind: 'delete', ownerId: 'owner-1', documentId: 'orphan' });
    // Taken before the claim, whose lease runs from within it (its write, an
    // fsync, may take a while after): the lease lapses no sooner than LEASE_MS
    // after this.
    const started = Date.now();
    const crashed = await stores().outbox.claim({ leaseMs: LEASE_MS });
    expect(crashed).not.toBeNull();
    const removed: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayRemovingIn(0, removed),
      new DocumentCache(stores().cache),
      logger,
      { leaseMs: LEASE_MS, pollIntervalMs: 20 },
    );
    try {
      while (removed.length === 0) await sleep(20);
      // 10 ms for how the store rounds the time it keeps.
      expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 10);
      expect(removed).toEqual(['orphan']);
    } finally {
      await worker.stop();
    }
  });

  // Found in review: a worker that could not renew its lease went on with
  // its index call; another took the job over, found the document deleted,
  // and the delete job ran before the first call landed, which then stayed
  // in the index for good.
  it('clears the index again when the document was deleted while its index call ran', async () => {
    await createTestDocument(stores());
    // This worker cannot reach the store to renew its lease.
    stores().outbox.extendLease = () => Promise.reject(new Error('the store could not be reached'));
    const indexed = new Set<string>();
    let removals = 0;
    let indexCalled = false;
    let land = () => undefined as void;
    const landing = new Promise<void>((resolve) => (land = resolve));
    const worker = startOutboxWorker(
      stores(),
      gatewayWith({
        index: async (request) => {
          indexCalled = true;
          await landing;
          indexed.add(request.documentId);
        },
        removeFromIndex: async (_ownerId, documentId) => {
          removals += 1;
          indexed.delete(documentId);
        },
      }),
      new DocumentCache(stores().cache),
      logger,
      { leaseMs: LEASE_MS, pollIntervalMs: 20 },
    );
    try {
      while (!indexCalled) await sleep(20);
      await stores().documents.delete(OWNER_ID, DOCUMENT_ID);
      // Another worker, once the lease has lapsed: the index job (the
      // document is gone: nothing to send), then the delete job.
      for (const kind of ['index', 'delete']) {
        let job = await stores().outbox.claim({ leaseMs: LEASE_MS });
        while (job === null) {
          await sleep(50);
          job = await stores().outbox.claim({ leaseMs: LEASE_MS });
        }
        expect(job.kind).toBe(kind);
        if (kind === 'delete') indexed.delete(job.documentId);
        expect(await stores().outbox.complete(job)).toBe(true);
      }
      land();
      for (let waited = 0; removals === 0 && waited < 5_000; waited += 20) await sleep(20);
      expect(indexed.size).toBe(0);
      expect(removals).toBe(1);
    } finally {
      land();
      await worker.stop();
    }
  });
});
