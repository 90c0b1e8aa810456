import { findFreePort } from '@docuthinker/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createStores,
  documentFileKey,
  eraseAccount,
  FileStoreUnavailableError,
  UnsafeFileKeyError,
  type Stores,
} from '../src';
import { sampleDocument } from './support/sample-documents';

describe('createStores with nothing configured (embedded defaults)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docuthinker-embedded-'));
  let stores: Stores;

  beforeAll(async () => {
    stores = await createStores({ dataDir });
  });

  afterAll(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('picks the embedded adapters, with one WAL-mode database file and files under the data dir', async () => {
    expect(stores.adapters).toEqual({ data: 'libsql', cache: 'memory', files: 'local' });
    const user = await stores.users.create({ email: 'a@example.com', passwordHash: 'h' });
    await stores.files.put(documentFileKey(user.id, 'doc', 'pdf'), Buffer.from('%PDF'));
    expect(existsSync(join(dataDir, 'docuthinker.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'docuthinker.db-wal'))).toBe(true);
    expect(existsSync(join(dataDir, 'documents', user.id, 'doc', 'original.pdf'))).toBe(true);
    expect(await stores.health()).toMatchObject({
      ok: true,
      components: {
        data: { ok: true, adapter: 'libsql' },
        cache: { ok: true, adapter: 'memory' },
        files: { ok: true, adapter: 'local' },
      },
    });
  });

  it('erases an account: documents (with delete jobs), sessions, files and the user, and nothing of anyone else', async () => {
    const leaving = await stores.users.create({ email: 'leaving@example.com', passwordHash: 'h' });
    const staying = await stores.users.create({ email: 'staying@example.com', passwordHash: 'h' });
    for (const owner of [leaving.id, staying.id]) {
      const document = await stores.documents.create(
        sampleDocument(owner, { fileKey: documentFileKey(owner, 'd1', 'pdf') }),
      );
      await stores.files.put(document.fileKey, Buffer.from('bytes'));
      await stores.files.put(documentFileKey(owner, 'orphan', 'txt'), Buffer.from('never saved'));
      await stores.chatSessions.create({ ownerId: owner, documentId: document.id });
    }
    const before = await stores.outbox.pendingCounts();

    const erasure = { lateIndexWritesWithinMs: 900_000 };
    const erased = await eraseAccount(stores, leaving.id, erasure);

    expect(erased).toEqual({ documents: 1, chatSessions: 1, files: 2, userDeleted: true });
    expect(await stores.users.findById(leaving.id)).toBeNull();
    expect(await stores.documents.count(leaving.id)).toBe(0);
    // Its delete job, and the owner's two index purges: one due now, one once late writes are over.
    expect(await stores.outbox.pendingCounts()).toEqual({
      ...before,
      delete: before.delete + 1,
      purge: before.purge + 2,
    });
    const claimed = [];
    for (let job = await stores.outbox.claim({ leaseMs: 60_000 }); job;) {
      claimed.push(job);
      await stores.outbox.complete(job);
      job = await stores.outbox.claim({ leaseMs: 60_000 });
    }
    const purges = claimed.filter((job) => job.ownerId === leaving.id && job.kind === 'purge');
    expect(purges).toHaveLength(1);
    expect(purges[0]?.documentId).toBe('');
    // The second purge is not due for another 15 minutes.
    expect((await stores.outbox.pendingCounts()).purge).toBe(1);
    expect(await stores.users.findById(staying.id)).not.toBeNull();
    expect(await stores.documents.count(staying.id)).toBe(1);
    expect(await stores.files.getBuffer(documentFileKey(staying.id, 'd1', 'pdf'))).not.toBeNull();
    expect(await eraseAccount(stores, leaving.id, erasure)).toEqual({
      documents: 0,
      chatSessions: 0,
      files: 0,
      userDeleted: false,
    });
  });

  it('refuses an erasure whose files the store cannot remove as an outage, keeping the account for a retry', async () => {
    const leaving = await stores.users.create({ email: 'outage@example.com', passwordHash: 'h' });
    await stores.files.put(documentFileKey(leaving.id, 'd1', 'txt'), Buffer.from('kept'));
    const down = Object.assign(Object.create(stores.files) as Stores['files'], {
      deletePrefix: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    const erasure = { lateIndexWritesWithinMs: 900_000 };

    const failure = await eraseAccount({ ...stores, files: down }, leaving.id, erasure).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FileStoreUnavailableError);
    expect(failure).toMatchObject({ operation: 'erase' });
    expect(await stores.users.findById(leaving.id)).not.toBeNull();

    expect((await eraseAccount(stores, leaving.id, erasure)).userDeleted).toBe(true);
    expect(await stores.files.getBuffer(documentFileKey(leaving.id, 'd1', 'txt'))).toBeNull();
  });

  it('finishes an erasure whose last sweep meets a file store outage once the user is gone, leaving the files to the purge jobs', async () => {
    const leaving = await stores.users.create({ email: 'late@example.com', passwordHash: 'h' });
    const lateKey = documentFileKey(leaving.id, 'late', 'txt');
    let sweeps = 0;
    const failsSecond = Object.assign(Object.create(stores.files) as Stores['files'], {
      deletePrefix: (prefix: string) =>
        (sweeps += 1) === 2
          ? Promise.reject(new Error('connect ECONNREFUSED'))
          : stores.files.deletePrefix(prefix),
    });
    // An upload past authentication that saves its file while the user goes.
    const savesLate = Object.assign(Object.create(stores.users) as Stores['users'], {
      delete: async (id: string) => {
        await stores.files.put(lateKey, Buffer.from('late upload'));
        return stores.users.delete(id);
      },
    });
    const before = await stores.outbox.pendingCounts();

    const erased = await eraseAccount(
      { ...stores, users: savesLate, files: failsSecond },
      leaving.id,
      { lateIndexWritesWithinMs: 900_000 },
    );

    expect(erased.userDeleted).toBe(true);
    expect(sweeps).toBe(2);
    // The sweep that would have removed it failed; the owner's purge jobs,
    // written before the user went, are what removes it (outbox-purge-caches.spec
    // in the backend runs them).
    expect(await stores.files.getBuffer(lateKey)).not.toBeNull();
    expect((await stores.outbox.pendingCounts()).purge).toBe(before.purge + 2);
  });

  it('builds file keys from ids only', () => {
    expect(documentFileKey('owner', 'doc', '.PDF')).toBe('owner/doc/original.pdf');
    expect(documentFileKey('owner', 'doc', '../../x')).toBe('owner/doc/original.x');
    expect(documentFileKey('owner', 'doc', '')).toBe('owner/doc/original.bin');
    expect(() => documentFileKey('../owner', 'doc', 'pdf')).toThrow(UnsafeFileKeyError);
    expect(() => documentFileKey('owner', 'a/b', 'pdf')).toThrow(UnsafeFileKeyError);
  });
});

describe('createStores with a Redis URL where nothing listens', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docuthinker-no-redis-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts anyway, serves cache misses and stays ready, reporting the cache as down', async () => {
    const port = await findFreePort();
    const stores = await createStores({
      dataDir,
      redisUrl: `redis://127.0.0.1:${port}`,
      redisStartupWaitMs: 300,
    });
    try {
      expect(stores.adapters.cache).toBe('redis');
      await stores.cache.set('k', 1, 1000);
      expect(await stores.cache.get('k')).toBeUndefined();
      const limiter = stores.rateLimiters.create({ name: 'login', points: 1, windowSeconds: 60 });
      expect((await limiter.consume('ip')).allowed).toBe(true);
      expect((await limiter.consume('ip')).allowed).toBe(false);
      const health = await stores.health();
      expect(health.ok).toBe(true);
      expect(health.components.cache).toMatchObject({ ok: false, adapter: 'redis' });
    } finally {
      await stores.close();
    }
  });
});
