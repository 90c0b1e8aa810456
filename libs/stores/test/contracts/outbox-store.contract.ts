import { newOwnerId } from '../support/sample-documents';
import { useDataStores, type OpenDataStores } from './data-stores-factory';

export function outboxStoreContract(open: OpenDataStores): void {
  describe('OutboxStore contract', () => {
    const subject = useDataStores(open);
    const outbox = () => subject.stores().outbox;

    it('hands out jobs oldest first, one lease at a time, and forgets completed ones', async () => {
      const owner = newOwnerId();
      const first = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'doc-1' });
      const second = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'doc-2' });
      const removal = await outbox().enqueue({
        kind: 'delete',
        ownerId: owner,
        documentId: 'doc-3',
        fileKey: `${owner}/doc-3/original.pdf`,
      });
      expect(await outbox().pendingCounts()).toEqual({ index: 2, delete: 1, purge: 0 });

      // Removals first, then the index jobs in the order they were written.
      const claimedRemoval = await outbox().claim({ leaseMs: 10_000 });
      const claimedFirst = await outbox().claim({ leaseMs: 10_000 });
      const claimedSecond = await outbox().claim({ leaseMs: 10_000 });
      expect(claimedRemoval).toMatchObject({
        id: removal.id,
        kind: 'delete',
        fileKey: `${owner}/doc-3/original.pdf`,
      });
      expect(claimedFirst).toMatchObject({ id: first.id, kind: 'index', attempts: 1 });
      expect(claimedSecond).toMatchObject({ id: second.id, kind: 'index' });
      expect(await outbox().claim({ leaseMs: 10_000 })).toBeNull();

      expect(claimedFirst && (await outbox().complete(claimedFirst))).toBe(true);
      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 1, purge: 0 });
      expect(claimedFirst && (await outbox().complete(claimedFirst))).toBe(false);
    });

    it("takes another owner's delete and purge before a burst of index jobs queued earlier", async () => {
      const uploader = newOwnerId();
      for (let upload = 0; upload < 5; upload += 1) {
        await outbox().enqueue({
          kind: 'index',
          ownerId: uploader,
          documentId: `upload-${upload}`,
        });
      }
      subject.clock().advance(1);
      const deleter = newOwnerId();
      const deletion = await outbox().enqueue({
        kind: 'delete',
        ownerId: deleter,
        documentId: 'private',
      });
      const purge = await outbox().enqueue({
        kind: 'purge',
        ownerId: newOwnerId(),
        documentId: '',
      });
      const order: string[] = [];
      for (let claimed = await outbox().claim({ leaseMs: 60_000 }); claimed !== null;) {
        order.push(claimed.id);
        await outbox().complete(claimed);
        claimed = await outbox().claim({ leaseMs: 60_000 });
      }
      expect(order.slice(0, 2)).toEqual([deletion.id, purge.id]);
      expect(order).toHaveLength(7);
    });

    it('lets another worker re-claim a job whose lease expired, and fences the old worker', async () => {
      await outbox().enqueue({ kind: 'index', ownerId: newOwnerId(), documentId: 'doc-1' });
      const crashed = await outbox().claim({ leaseMs: 5000 });
      expect(crashed?.leaseExpiresAt).toEqual(new Date(subject.clock().now().getTime() + 5000));

      subject.clock().advance(4999);
      expect(await outbox().claim({ leaseMs: 5000 })).toBeNull();

      subject.clock().advance(1);
      const retried = await outbox().claim({ leaseMs: 5000 });
      expect(retried).toMatchObject({ id: crashed?.id, attempts: 2 });
      expect(retried?.leaseToken).not.toBe(crashed?.leaseToken);

      expect(crashed && (await outbox().complete(crashed))).toBe(false);
      expect(
        crashed &&
          (await outbox().fail(crashed, { error: 'late', retryAt: subject.clock().now() })),
      ).toBe(false);
      expect(retried && (await outbox().complete(retried))).toBe(true);
      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });
    });

    it('extends a live lease, so a busy worker keeps its job, and refuses a lost one', async () => {
      await outbox().enqueue({ kind: 'index', ownerId: newOwnerId(), documentId: 'doc-1' });
      const busy = await outbox().claim({ leaseMs: 5000 });
      subject.clock().advance(4000);
      expect(busy && (await outbox().extendLease(busy, 5000))).toBe(true);

      subject.clock().advance(4999);
      expect(await outbox().claim({ leaseMs: 5000 })).toBeNull();

      subject.clock().advance(1);
      const taken = await outbox().claim({ leaseMs: 5000 });
      expect(taken).toMatchObject({ id: busy?.id, attempts: 2 });
      expect(busy && (await outbox().extendLease(busy, 5000))).toBe(false);
      expect(taken && (await outbox().complete(taken))).toBe(true);
    });

    it('holds a failed job back until its retry time and records the error', async () => {
      const job = await outbox().enqueue({ kind: 'index', ownerId: newOwnerId(), documentId: 'd' });
      const claimed = await outbox().claim({ leaseMs: 60_000 });
      const retryAt = new Date(subject.clock().now().getTime() + 8000);
      expect(claimed && (await outbox().fail(claimed, { error: 'gateway down', retryAt }))).toBe(
        true,
      );

      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 0, purge: 0 });
      subject.clock().advance(7999);
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();
      subject.clock().advance(1);
      const again = await outbox().claim({ leaseMs: 60_000 });
      expect(again).toMatchObject({
        id: job.id,
        attempts: 2,
        lastError: 'gateway down',
        availableAt: retryAt,
      });
    });

    it('makes jobs waiting for a retry due now, leaving a leased one to its worker and a delayed one to its time', async () => {
      const owner = newOwnerId();
      // Written to wait, as an erasure's second purge is (found in review).
      const delayed = await outbox().enqueue({
        kind: 'purge',
        ownerId: newOwnerId(),
        documentId: '',
        notBefore: new Date(subject.clock().now().getTime() + 600_000),
      });
      const waiting = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'a' });
      await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'b' });
      const first = await outbox().claim({ leaseMs: 60_000 });
      expect(first?.id).toBe(waiting.id);
      const retryAt = new Date(subject.clock().now().getTime() + 300_000);
      if (first) await outbox().fail(first, { error: 'gateway down', retryAt });
      const leased = await outbox().claim({ leaseMs: 60_000 });
      expect(leased?.documentId).toBe('b');
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();

      expect(await outbox().retryWaitingNow()).toBe(1);
      const again = await outbox().claim({ leaseMs: 60_000 });
      expect(again).toMatchObject({ id: waiting.id, lastError: 'gateway down' });
      // The leased job stays its worker's.
      expect(leased && (await outbox().complete(leased))).toBe(true);
      if (again) await outbox().complete(again);
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();
      subject.clock().advance(600_000);
      expect((await outbox().claim({ leaseMs: 60_000 }))?.id).toBe(delayed.id);
    });

    it('lets a due job overtake one that is waiting for its retry', async () => {
      const owner = newOwnerId();
      const failing = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'a' });
      const claimed = await outbox().claim({ leaseMs: 60_000 });
      expect(claimed?.id).toBe(failing.id);
      const retryAt = new Date(subject.clock().now().getTime() + 60_000);
      if (claimed) await outbox().fail(claimed, { error: 'boom', retryAt });
      subject.clock().advance(10);
      const fresh = await outbox().enqueue({ kind: 'delete', ownerId: owner, documentId: 'b' });
      expect((await outbox().claim({ leaseMs: 60_000 }))?.id).toBe(fresh.id);
    });

    it("keeps one document's jobs in order: a job waits while an earlier one of its document is pending", async () => {
      const owner = newOwnerId();
      const index = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'same' });
      subject.clock().advance(1);
      const remove = await outbox().enqueue({ kind: 'delete', ownerId: owner, documentId: 'same' });
      const other = await outbox().enqueue({ kind: 'index', ownerId: owner, documentId: 'other' });

      // Two workers claim at once: the second gets the other document, not the delete.
      const first = await outbox().claim({ leaseMs: 60_000 });
      const second = await outbox().claim({ leaseMs: 60_000 });
      expect(first?.id).toBe(index.id);
      expect(second?.id).toBe(other.id);
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();

      // Still blocked while the index job waits for a retry.
      const retryAt = new Date(subject.clock().now().getTime() + 1000);
      if (first) await outbox().fail(first, { error: 'gateway down', retryAt });
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();

      subject.clock().advance(1000);
      const retried = await outbox().claim({ leaseMs: 60_000 });
      expect(retried?.id).toBe(index.id);
      expect(retried && (await outbox().complete(retried))).toBe(true);
      expect((await outbox().claim({ leaseMs: 60_000 }))?.id).toBe(remove.id);
    });

    it('holds a job written with notBefore back until then', async () => {
      const owner = newOwnerId();
      const notBefore = new Date(subject.clock().now().getTime() + 900_000);
      const later = await outbox().enqueue({
        kind: 'purge',
        ownerId: owner,
        documentId: '',
        notBefore,
      });
      expect(later.availableAt).toEqual(notBefore);
      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 1 });
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();
      subject.clock().advance(899_999);
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();
      subject.clock().advance(1);
      const due = await outbox().claim({ leaseMs: 60_000 });
      expect(due).toMatchObject({ id: later.id, kind: 'purge', ownerId: owner, documentId: '' });
      expect(due && (await outbox().complete(due))).toBe(true);
    });

    it("orders one owner's purges, and never lets one owner's waiting purge hold up another's", async () => {
      const waiting = newOwnerId();
      const other = newOwnerId();
      const first = await outbox().enqueue({ kind: 'purge', ownerId: waiting, documentId: '' });
      const claimed = await outbox().claim({ leaseMs: 60_000 });
      expect(claimed?.id).toBe(first.id);
      const retryAt = new Date(subject.clock().now().getTime() + 60_000);
      if (claimed) await outbox().fail(claimed, { error: 'gateway down', retryAt });
      subject.clock().advance(1);
      const second = await outbox().enqueue({ kind: 'purge', ownerId: waiting, documentId: '' });
      const othersPurge = await outbox().enqueue({ kind: 'purge', ownerId: other, documentId: '' });
      // The same owner's second purge waits behind the first; the other owner's does not.
      const others = await outbox().claim({ leaseMs: 60_000 });
      expect(others?.id).toBe(othersPurge.id);
      expect(await outbox().claim({ leaseMs: 60_000 })).toBeNull();
      expect(others && (await outbox().complete(others))).toBe(true);
      subject.clock().advance(60_000);
      const retried = await outbox().claim({ leaseMs: 60_000 });
      expect(retried?.id).toBe(first.id);
      expect(retried && (await outbox().complete(retried))).toBe(true);
      expect((await outbox().claim({ leaseMs: 60_000 }))?.id).toBe(second.id);
    });

    it('finds a due job behind any number of blocked ones (documents written and deleted during an outage)', async () => {
      const owner = newOwnerId();
      // More blocked jobs than any claim would read in one round trip.
      const documentIds = Array.from({ length: 120 }, (_, index) => `doc-${index}`);
      for (const documentId of documentIds) {
        await outbox().enqueue({ kind: 'index', ownerId: owner, documentId });
      }
      // The gateway is down: every index job fails and waits five minutes.
      const retryAt = new Date(subject.clock().now().getTime() + 300_000);
      for (let failed = 0; failed < documentIds.length; failed += 1) {
        const claimed = await outbox().claim({ leaseMs: 60_000 });
        expect(claimed?.kind).toBe('index');
        if (claimed) await outbox().fail(claimed, { error: 'gateway down', retryAt });
      }
      // Meanwhile the user deletes them all, and another user uploads.
      subject.clock().advance(10_000);
      for (const documentId of documentIds) {
        await outbox().enqueue({ kind: 'delete', ownerId: owner, documentId });
      }
      const otherOwner = newOwnerId();
      const othersUpload = await outbox().enqueue({
        kind: 'index',
        ownerId: otherOwner,
        documentId: 'upload',
      });
      // Each delete is due before the index job it waits for: the claim passes them all over.
      const unblocked = await outbox().claim({ leaseMs: 60_000 });
      expect(unblocked?.id).toBe(othersUpload.id);
      expect(unblocked && (await outbox().complete(unblocked))).toBe(true);

      // Back after the retries are due: each document's index job runs before its delete.
      subject.clock().advance(3_600_000);
      const order: string[] = [];
      for (let claimed = await outbox().claim({ leaseMs: 60_000 }); claimed !== null;) {
        order.push(`${claimed.kind} ${claimed.documentId}`);
        await outbox().complete(claimed);
        claimed = await outbox().claim({ leaseMs: 60_000 });
      }
      expect(order).toHaveLength(2 * documentIds.length);
      for (const documentId of documentIds) {
        expect(order.indexOf(`index ${documentId}`)).toBeLessThan(
          order.indexOf(`delete ${documentId}`),
        );
      }
    });

    it('reports itself healthy', async () => {
      expect(await outbox().health()).toMatchObject({ ok: true });
    });
  });
}
