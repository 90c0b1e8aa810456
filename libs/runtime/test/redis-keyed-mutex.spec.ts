import type { Redis } from 'ioredis';
import { findFreePort, startRedis, waitUntil, type RunningService } from '@docuthinker/testing';
import { SharedLockBusyError } from '../src';
import {
  closeRedisClient,
  createRedisClient,
  RedisKeyedMutex,
  waitForRedis,
} from '../src/rate-limits/redis';

const PREFIX = 'docuthinker:test-lock:';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `condition` holds: a fixed pause proved nothing on a loaded machine. */
const until = (condition: () => boolean) =>
  waitUntil('the holder to hold the lock', async () => condition(), {
    timeoutMs: 5_000,
    intervalMs: 5,
  });

/** Two replicas' locks, each over a client of its own, on a real redis-server. */
describe('RedisKeyedMutex', () => {
  let redis: RunningService;
  const clients: Redis[] = [];
  let replicas: [RedisKeyedMutex, RedisKeyedMutex];

  async function connected(url: string): Promise<Redis> {
    const client = createRedisClient(url);
    clients.push(client);
    expect(await waitForRedis(client, 5000)).toBe(true);
    return client;
  }

  beforeAll(async () => {
    redis = await startRedis();
    replicas = [
      new RedisKeyedMutex(await connected(redis.url), { keyPrefix: PREFIX }),
      new RedisKeyedMutex(await connected(redis.url), { keyPrefix: PREFIX }),
    ];
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => closeRedisClient(client)));
    await redis?.stop();
  });

  it('runs the work of one key one holder at a time, across clients', async () => {
    let inside = 0;
    let mostInside = 0;
    const work = async () => {
      mostInside = Math.max(mostInside, ++inside);
      await pause(15);
      inside--;
      return 'done';
    };
    const runs = Array.from({ length: 8 }, (_, i) => replicas[i % 2]!.holding('doc', work));
    expect(await Promise.all(runs)).toEqual(Array(8).fill('done'));
    expect(mostInside).toBe(1);
    // Released: nothing is left in Redis.
    expect(await clients[0]!.keys(`${PREFIX}*`)).toEqual([]);
  });

  it('runs the work of different keys side by side', async () => {
    let inside = 0;
    let mostInside = 0;
    const work = async () => {
      mostInside = Math.max(mostInside, ++inside);
      await pause(50);
      inside--;
    };
    await Promise.all([replicas[0].holding('one', work), replicas[1].holding('two', work)]);
    expect(mostInside).toBe(2);
  });

  it('releases the lock when the work fails, and passes the failure on', async () => {
    await expect(
      replicas[0].holding('failing', async () => {
        throw new Error('write refused');
      }),
    ).rejects.toThrow('write refused');
    await expect(replicas[1].holding('failing', async () => 'next')).resolves.toBe('next');
  });

  it('gives up with SharedLockBusyError when another holds the key for longer than it waits', async () => {
    const patient = new RedisKeyedMutex(clients[1]!, { keyPrefix: PREFIX, acquireTimeoutMs: 100 });
    let release!: () => void;
    const held = replicas[0].holding('busy', () => new Promise<void>((done) => (release = done)));
    await until(() => release !== undefined);
    const ran = jest.fn(async () => undefined);
    await expect(patient.holding('busy', ran)).rejects.toBeInstanceOf(SharedLockBusyError);
    expect(ran).not.toHaveBeenCalled();
    release();
    await held;
  });

  it('stops waiting when the caller aborts, without running the work', async () => {
    let release!: () => void;
    const held = replicas[0].holding(
      'aborted',
      () => new Promise<void>((done) => (release = done)),
    );
    await until(() => release !== undefined);
    const controller = new AbortController();
    const ran = jest.fn(async () => undefined);
    const waiting = replicas[1].holding('aborted', ran, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect(ran).not.toHaveBeenCalled();
    release();
    await held;
  });

  it('keeps a lock held past its timeout while its holder still works (refreshed)', async () => {
    // Refreshed every 500 ms: a stall of up to a second does not lose it.
    const short = [
      new RedisKeyedMutex(clients[0]!, { keyPrefix: PREFIX, lockTimeoutMs: 1_500 }),
      new RedisKeyedMutex(clients[1]!, { keyPrefix: PREFIX, lockTimeoutMs: 1_500 }),
    ];
    const order: string[] = [];
    const first = short[0]!.holding('long', async () => {
      order.push('first in');
      await pause(2_000);
      order.push('first out');
    });
    await until(() => order.includes('first in'));
    await short[1]!.holding('long', async () => void order.push('second'));
    await first;
    expect(order).toEqual(['first in', 'first out', 'second']);
  });

  it('takes over the lock of a holder that died once it expires, and tells the dead one it lost it', async () => {
    const doomedClient = await connected(redis.url);
    const lost: Error[] = [];
    const doomed = new RedisKeyedMutex(doomedClient, {
      keyPrefix: PREFIX,
      lockTimeoutMs: 300,
      onLockLost: (error) => lost.push(error),
      onUnreachable: () => undefined,
    });
    let holds = false;
    void doomed.holding('orphaned', () => {
      holds = true;
      return new Promise<never>(() => undefined);
    });
    await until(() => holds);
    // The replica's connection is gone: nobody refreshes or releases its lock.
    doomedClient.disconnect();
    const started = Date.now();
    await expect(replicas[1].holding('orphaned', async () => 'taken over')).resolves.toBe(
      'taken over',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(lost.length).toBeGreaterThan(0);
  });

  it('runs the work without the shared lock while Redis is unreachable, and says so', async () => {
    const port = await findFreePort();
    const away = createRedisClient(`redis://127.0.0.1:${port}`);
    clients.push(away);
    const told: Error[] = [];
    const lock = new RedisKeyedMutex(away, {
      keyPrefix: PREFIX,
      onUnreachable: (error) => told.push(error),
    });
    await expect(lock.holding('anything', async () => 'written')).resolves.toBe('written');
    await expect(lock.holding('anything', async () => 'again')).resolves.toBe('again');
    // Once an outage, not once a write.
    expect(told).toHaveLength(1);
  });

  // Found in review: a queued request began its whole wait only once it
  // reached the head of its replica's queue, answering after 40 or 60 s.
  it('counts its patience from when the caller began to wait', async () => {
    const patient = new RedisKeyedMutex(clients[1]!, { keyPrefix: PREFIX, acquireTimeoutMs: 2000 });
    let release!: () => void;
    const held = replicas[0].holding('queued', () => new Promise<void>((done) => (release = done)));
    await until(() => release !== undefined);
    const started = Date.now();
    await expect(
      patient.holding('queued', async () => undefined, { waitingSince: started - 1900 }),
    ).rejects.toBeInstanceOf(SharedLockBusyError);
    expect(Date.now() - started).toBeLessThan(1000);
    release();
    await held;
  });

  // Found in review: Redis stalled under a second ran the SET after the
  // client had given up on it; the lock then had no holder and held the
  // document on every replica for its whole timeout.
  it('takes back a lock Redis granted after the client had given up on it', async () => {
    const pauser = await connected(redis.url);
    const told: Error[] = [];
    const lock = new RedisKeyedMutex(clients[0]!, {
      keyPrefix: PREFIX,
      onUnreachable: (error) => told.push(error),
    });
    // Longer than the client's command timeout (500 ms), shorter than its socket's (2 s).
    await pauser.call('CLIENT', 'PAUSE', '900', 'WRITE');
    await expect(lock.holding('stalled', async () => 'written')).resolves.toBe('written');
    expect(told.map((error) => error.message)).toEqual([expect.stringMatching(/timed out/i)]);
    await pause(600);
    expect(await pauser.keys(`*${PREFIX}*`)).toEqual([]);
    await expect(replicas[1].holding('stalled', async () => 'next')).resolves.toBe('next');
  });
});
