import { setTimeout as sleep } from 'node:timers/promises';
import { documentFileKey } from '@docuthinker/stores';
import { startOutboxWorker } from '../src/outbox/outbox-worker';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { DocumentCache } from '../src/services/document-cache';
import { ownerCachePrefixes } from '../src/services/owner-cache-keys';
import { gatewayWith, silentLogger, useEmbeddedStores } from './support/outbox-fixture';

// Found by a concurrency review: an AI task or a listing still running when
// the account was deleted cached its result after deleteAccount had erased
// the owner's caches, for up to a day, and the purge job's own invalidation
// wrote a key of the erased owner back.
describe('an erasure purge job', () => {
  const stores = useEmbeddedStores('dt-outbox-purge-');

  const gatewayPurging = (purged: string[]) =>
    gatewayWith({
      removeOwnerFromIndex: async (ownerId) => {
        purged.push(ownerId);
      },
    });

  it("erases every cache entry of the owner written after the account went, and only the owner's", async () => {
    const erased = ownerCachePrefixes('erased-owner');
    const other = ownerCachePrefixes('other-owner');
    // What late requests of the erased owner left, and another owner's entries.
    await stores().cache.set(
      `${erased.aiResults}summary:abc`,
      'derived from the erased texts',
      60_000,
    );
    await stores().cache.set(`${erased.documents}page:1`, 'a listing page', 60_000);
    await stores().cache.set(`${other.aiResults}summary:abc`, 'kept', 60_000);
    await stores().outbox.enqueue({ kind: 'purge', ownerId: 'erased-owner', documentId: '' });
    const purged: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayPurging(purged),
      new DocumentCache(stores().cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      while ((await stores().outbox.pendingCounts()).purge > 0) await sleep(20);
      expect(purged).toEqual(['erased-owner']);
      expect(await stores().cache.get(`${erased.aiResults}summary:abc`)).toBeUndefined();
      expect(await stores().cache.get(`${erased.documents}page:1`)).toBeUndefined();
      // Not even the listing generation key forgetOwner writes.
      expect(await stores().cache.get(`${erased.documents}generation`)).toBeUndefined();
      expect(await stores().cache.get(`${other.aiResults}summary:abc`)).toBe('kept');
    } finally {
      await worker.stop();
    }
  });

  // Found in review: with the cache out of reach the purge completed, and
  // the owner's AI results, which quote the erased texts, stayed a day.
  it('stays in the outbox while the cache cannot be reached, and erases once it can', async () => {
    const erased = ownerCachePrefixes('erased-owner');
    await stores().cache.set(`${erased.aiResults}summary:abc`, 'derived', 60_000);
    await stores().outbox.enqueue({ kind: 'purge', ownerId: 'erased-owner', documentId: '' });
    const cache = stores().cache;
    const deleteByPrefix = cache.deleteByPrefix.bind(cache);
    let reachable = false;
    let refused = 0;
    cache.deleteByPrefix = async (prefix) => {
      if (reachable) return deleteByPrefix(prefix);
      refused += 1;
      return false;
    };
    const worker = startOutboxWorker(
      stores(),
      gatewayPurging([]),
      new DocumentCache(cache),
      silentLogger,
      { pollIntervalMs: 20, retryBaseMs: 10, retryMaxMs: 20 },
    );
    try {
      for (let waited = 0; refused < 3 && waited < 5000; waited += 20) await sleep(20);
      expect(refused).toBeGreaterThanOrEqual(3);
      expect((await stores().outbox.pendingCounts()).purge).toBe(1);
      expect(await cache.get(`${erased.aiResults}summary:abc`)).toBe('derived');
      reachable = true;
      while ((await stores().outbox.pendingCounts()).purge > 0) await sleep(20);
      expect(await cache.get(`${erased.aiResults}summary:abc`)).toBeUndefined();
    } finally {
      await worker.stop();
      cache.deleteByPrefix = deleteByPrefix;
    }
  });

  // Found in review: a delete job of an erased account that finished after
  // its purge wrote the owner's listing generation key back for a day.
  it("leaves no key of an erased owner behind when the owner's delete jobs finish", async () => {
    const erased = ownerCachePrefixes('erased-owner');
    await stores().outbox.enqueue({ kind: 'delete', ownerId: 'erased-owner', documentId: 'doc-1' });
    const removed: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayWith({
        removeFromIndex: async (_ownerId, documentId) => {
          removed.push(documentId);
        },
      }),
      new DocumentCache(stores().cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      while ((await stores().outbox.pendingCounts()).delete > 0) await sleep(20);
      expect(removed).toEqual(['doc-1']);
      expect(await stores().cache.get(`${erased.documents}generation`)).toBeUndefined();
    } finally {
      await worker.stop();
    }
  });

  // Found in review: with the gateway down, the original stayed until it came back.
  it("removes a deleted document's original while the gateway is out of reach", async () => {
    const key = documentFileKey('owner', 'doc-gone', 'txt');
    await stores().files.put(key, Buffer.from('deleted while the gateway was down'));
    await stores().outbox.enqueue({
      kind: 'delete',
      ownerId: 'owner',
      documentId: 'doc-gone',
      fileKey: key,
    });
    let asked = 0;
    const worker = startOutboxWorker(
      stores(),
      gatewayWith({
        removeFromIndex: async () => {
          asked += 1;
          throw new GatewayUnavailableError('connect ECONNREFUSED', 1);
        },
      }),
      new DocumentCache(stores().cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      for (let waited = 0; asked === 0 && waited < 5000; waited += 20) await sleep(20);
      expect(asked).toBeGreaterThan(0);
      expect(await stores().files.getBuffer(key)).toBeNull();
      // The job itself waits for the gateway.
      expect((await stores().outbox.pendingCounts()).delete).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  // Found in review: with the cache steps first and failing, the gateway was
  // never asked, and the document stayed searchable there for the outage.
  it('asks the gateway to remove a deleted document while the cache is out of reach', async () => {
    await stores().outbox.enqueue({ kind: 'delete', ownerId: 'owner', documentId: 'doc-gone' });
    const cache = stores().cache;
    const deleteByPrefix = cache.deleteByPrefix.bind(cache);
    cache.deleteByPrefix = async () => false;
    const removed: string[] = [];
    const worker = startOutboxWorker(
      stores(),
      gatewayWith({
        removeFromIndex: async (_ownerId, documentId) => {
          removed.push(documentId);
        },
      }),
      new DocumentCache(cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      for (let waited = 0; removed.length === 0 && waited < 5000; waited += 20) await sleep(20);
      expect(removed).toEqual(['doc-gone']);
      // The job waits for the cache.
      expect((await stores().outbox.pendingCounts()).delete).toBe(1);
    } finally {
      await worker.stop();
      cache.deleteByPrefix = deleteByPrefix;
    }
  });

  // Found by a review: the erasure's last sweep runs after the user is gone,
  // and a file store failing then was a 503 nobody could act on.
  it("removes the owner's files, which an erasure that met a file store outage left", async () => {
    const left = documentFileKey('erased-owner', 'doc-left', 'txt');
    const kept = documentFileKey('other-owner', 'doc-kept', 'txt');
    await stores().files.put(left, Buffer.from('left by a failed erasure'));
    await stores().files.put(kept, Buffer.from('kept'));
    await stores().outbox.enqueue({ kind: 'purge', ownerId: 'erased-owner', documentId: '' });
    const worker = startOutboxWorker(
      stores(),
      gatewayPurging([]),
      new DocumentCache(stores().cache),
      silentLogger,
      { pollIntervalMs: 20 },
    );
    try {
      while ((await stores().outbox.pendingCounts()).purge > 0) await sleep(20);
      expect(await stores().files.getBuffer(left)).toBeNull();
      expect((await stores().files.getBuffer(kept))?.toString()).toBe('kept');
    } finally {
      await worker.stop();
    }
  });
});
