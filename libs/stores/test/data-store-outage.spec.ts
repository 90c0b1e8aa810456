import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { MongoServerError } from 'mongodb';
import { createMongoClient } from '../src/mongo/mongo-database';
import { isDataStoreOutage } from '../src/shared/data-store-outage';

/** The error a real driver call gives, or fails the test. */
async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('the call did not fail');
}

describe('isDataStoreOutage', () => {
  it('is true for the MongoDB driver finding no server, before and after its client closed', async () => {
    // A port nothing listens on: every server selection fails.
    const client = createMongoClient('mongodb://127.0.0.1:9/docuthinker', {
      serverSelectionTimeoutMS: 200,
    });
    const selection = await errorOf(() => client.db().collection('documents').findOne({}));
    expect((selection as Error).name).toBe('MongoServerSelectionError');
    expect(isDataStoreOutage(selection)).toBe(true);
    await client.close();
    const closed = await errorOf(() => client.db().collection('documents').findOne({}));
    expect(isDataStoreOutage(closed)).toBe(true);
  });

  it('is true for a server that takes connections and never answers', async () => {
    // Accepts connections and never answers the driver's handshake.
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const client = createMongoClient(`mongodb://127.0.0.1:${port}/docuthinker`, {
      serverSelectionTimeoutMS: 300,
      connectTimeoutMS: 200,
    });
    try {
      const error = await errorOf(() => client.db().collection('documents').findOne({}));
      expect(isDataStoreOutage(error)).toBe(true);
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('is true for a server error the driver retries (a primary stepping down), false for a rejected write', () => {
    const steppedDown = new MongoServerError({ ok: 0, code: 189, errmsg: 'PrimarySteppedDown' });
    expect(isDataStoreOutage(steppedDown)).toBe(true);
    const labelled = new MongoServerError({
      ok: 0,
      code: 251,
      errmsg: 'NoSuchTransaction',
      errorLabels: ['TransientTransactionError'],
    });
    expect(isDataStoreOutage(labelled)).toBe(true);
    const duplicate = new MongoServerError({ ok: 0, code: 11000, errmsg: 'E11000 duplicate key' });
    expect(isDataStoreOutage(duplicate)).toBe(false);
  });

  it('is true for the embedded file locked by another writer past the busy timeout, false for a bad query', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-outage-'));
    const path = join(dir, 'stores.db');
    const holder = new Database(path);
    const other = new Database(path);
    try {
      holder.exec('CREATE TABLE t (x INTEGER)');
      other.pragma('busy_timeout = 0');
      holder.exec('BEGIN IMMEDIATE');
      const busy = (() => {
        try {
          other.exec('INSERT INTO t VALUES (1)');
        } catch (error) {
          return error;
        }
        throw new Error('the write did not wait for the lock');
      })();
      expect(isDataStoreOutage(busy)).toBe(true);
      const bad = (() => {
        try {
          holder.exec('SELECT * FROM no_such_table');
        } catch (error) {
          return error;
        }
        throw new Error('the query did not fail');
      })();
      expect(isDataStoreOutage(bad)).toBe(false);
      holder.exec('ROLLBACK');
    } finally {
      holder.close();
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is true for the extended busy and locked codes libsql reports', () => {
    for (const code of [
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_BUSY_TIMEOUT',
      'SQLITE_LOCKED_SHAREDCACHE',
    ]) {
      const error = Object.assign(new Error('database is locked'), { name: 'SqliteError', code });
      expect({ code, outage: isDataStoreOutage(error) }).toEqual({ code, outage: true });
    }
  });

  it('is false for what is no error object, and for errors of other kinds', () => {
    expect(isDataStoreOutage(undefined)).toBe(false);
    expect(isDataStoreOutage('MongoNetworkError')).toBe(false);
    expect(isDataStoreOutage(new TypeError('x'))).toBe(false);
  });
});

describe('createMongoClient', () => {
  it('reads from the primary whatever the connection string says (DocumentDB suggests secondaryPreferred)', async () => {
    const client = createMongoClient(
      'mongodb://127.0.0.1:9/docuthinker?readPreference=secondaryPreferred',
    );
    try {
      expect(client.readPreference.mode).toBe('primary');
    } finally {
      await client.close();
    }
  });
});
