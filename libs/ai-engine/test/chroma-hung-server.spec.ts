import { startChroma, type RunningService } from '@docuthinker/testing';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ChromaVectorIndex } from '../src/retrieval/chroma-vector-index';
import {
  contractEmbedder,
  expectSearchFinds,
  indexedChunks,
  vectorOf,
} from './support/vector-index-contract';

/**
 * The adapter against a real Chroma that stops answering: behind a TCP proxy
 * that can black-hole (accept a request and never answer) or trickle (send
 * the headers, then the body a byte at a time), as a SIGSTOPped or
 * overloaded Chroma does. Every call must fail within its deadline, as the
 * store outage a refused connection is, and work again once Chroma answers.
 */

/** The adapter's per-call deadline in these tests. */
const BOUND_MS = 1_000;
/** Loose bounds: failing after at least half the deadline, within five times it. */
const FAILS_AFTER_MS = BOUND_MS / 2;
const FAILS_WITHIN_MS = 5 * BOUND_MS;
/** A trickled body's pace: the answers here (a few KB) would take minutes. */
const TRICKLE_INTERVAL_MS = 50;
/** Long enough that a hanging call shows up as a failed test, not a hung run. */
const TEST_TIMEOUT_MS = 30_000;

type ProxyMode = 'pass' | 'black-hole' | 'trickle';

interface ChromaTcpProxy {
  readonly url: string;
  /** How requests are treated from now on: all, or those whose request line matches `only`. */
  set(mode: ProxyMode, only?: RegExp): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ HTTP\/1\.[01]\r\n/;

/**
 * A byte-level proxy in front of Chroma. Its mode is looked up per request,
 * so a kept-alive connection opened while it passed traffic is black-holed
 * or trickled too (undici does not pipeline: a request starts a chunk).
 */
async function chromaTcpProxy(target: RunningService): Promise<ChromaTcpProxy> {
  let mode: ProxyMode = 'pass';
  let only: RegExp | undefined;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let current: ProxyMode = 'pass';
    let headersSent = false;
    let queue = Buffer.alloc(0);
    let drip: NodeJS.Timeout | undefined;
    const dripOne = () => {
      if (drip) timers.delete(drip);
      drip = undefined;
      if (queue.length === 0 || client.destroyed) return;
      client.write(queue.subarray(0, 1));
      queue = queue.subarray(1);
      drip = setTimeout(dripOne, TRICKLE_INTERVAL_MS);
      timers.add(drip);
    };
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, Math.min(chunk.length, 512));
      if (REQUEST_LINE.test(head)) {
        const requestLine = head.slice(0, head.indexOf('\r\n'));
        current = only && !only.test(requestLine) ? 'pass' : mode;
        headersSent = false;
      }
      // Black-holed: the request was accepted and is never answered.
      if (current !== 'black-hole') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (current !== 'trickle') {
        client.write(chunk);
        return;
      }
      let body = chunk;
      if (!headersSent) {
        const end = chunk.indexOf('\r\n\r\n');
        if (end < 0) {
          client.write(chunk);
          return;
        }
        client.write(chunk.subarray(0, end + 4));
        body = chunk.subarray(end + 4);
        headersSent = true;
      }
      queue = Buffer.concat([queue, body]);
      if (!drip) dripOne();
    });
    const end = () => {
      if (drip) {
        clearTimeout(drip);
        timers.delete(drip);
      }
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next, pattern) {
      mode = next;
      only = pattern;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How `operation` failed, and after how long. */
async function failure(operation: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  try {
    await operation();
  } catch (error) {
    return { error: error as Error, ms: performance.now() - started };
  }
  throw new Error(`expected a failure, but it succeeded after ${performance.now() - started} ms`);
}

/** Fails as a Chroma outage (the error routes answer 503 for), within the loose bounds. */
async function expectOutageWithinBound(operation: () => Promise<unknown>): Promise<void> {
  const { error, ms } = await failure(operation);
  expect(error.name).toBe('ChromaConnectionError');
  expect(ms).toBeGreaterThanOrEqual(FAILS_AFTER_MS);
  expect(ms).toBeLessThan(FAILS_WITHIN_MS);
}

const OWNER = 'owner-hung';
const DOCUMENT = 'doc-hung';
/** Long enough that a trickled answer holding it takes minutes. */
const TEXT = Array.from(
  { length: 60 },
  (_, index) => `Sentence ${index} of the quarterly revenue report mentions margins and forecasts.`,
).join(' ');
const QUESTION = 'quarterly revenue margins';

let chroma: RunningService;
let proxy: ChromaTcpProxy;
let collectionCounter = 0;

beforeAll(async () => {
  chroma = await startChroma();
  proxy = await chromaTcpProxy(chroma);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await chroma?.stop();
});

afterEach(() => proxy.set('pass'));

const nextCollectionPrefix = () => `hung-${(collectionCounter += 1)}`;

/**
 * The adapter through the proxy, with BOUND_MS as its deadline. Its circuit
 * never opens: every call here must meet Chroma and its deadline (the
 * circuit has its own spec, chroma-circuit-breaker.spec.ts).
 */
function openThroughProxy(collectionPrefix: string): Promise<ChromaVectorIndex> {
  return ChromaVectorIndex.connect({
    url: proxy.url,
    embedding: contractEmbedder,
    collectionPrefix,
    connectTimeoutMs: BOUND_MS,
    requestTimeoutMs: BOUND_MS,
    breakerThreshold: Number.POSITIVE_INFINITY,
  });
}

/**
 * The adapter through the proxy with the default deadlines, for the calls
 * that must simply succeed (the set-up, and the checks once Chroma answers):
 * at BOUND_MS, a write slowed by a loaded disk failed the test for no fault.
 */
function openWithDefaultDeadlines(collectionPrefix: string): Promise<ChromaVectorIndex> {
  return ChromaVectorIndex.connect({
    url: proxy.url,
    embedding: contractEmbedder,
    collectionPrefix,
  });
}

/**
 * A new collection, with an adapter of each kind on it: `healthy` (default
 * deadlines) creates it, so that `bounded` (BOUND_MS) only looks it up.
 */
async function openBoth(): Promise<{
  bounded: ChromaVectorIndex;
  healthy: ChromaVectorIndex;
  close(): Promise<void>;
}> {
  const collectionPrefix = nextCollectionPrefix();
  const healthy = await openWithDefaultDeadlines(collectionPrefix);
  const bounded = await openThroughProxy(collectionPrefix).catch(async (error: unknown) => {
    await healthy.close();
    throw error;
  });
  return {
    bounded,
    healthy,
    close: async () => {
      await Promise.all([bounded.close(), healthy.close()]);
    },
  };
}

const searchFinds = (index: ChromaVectorIndex) =>
  expectSearchFinds(index, OWNER, DOCUMENT, QUESTION);

describe('ChromaVectorIndex against a Chroma that stops answering', () => {
  it(
    'fails to connect within the deadline while Chroma accepts and never answers, and connects once it answers',
    async () => {
      const collectionPrefix = nextCollectionPrefix();
      proxy.set('black-hole');
      await expectOutageWithinBound(() => openThroughProxy(collectionPrefix));
      proxy.set('pass');
      const index = await openWithDefaultDeadlines(collectionPrefix);
      await index.ping();
      await index.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'fails searches, writes and readiness within the deadline while Chroma never answers, and works again once it does',
    async () => {
      const adapters = await openBoth();
      const { bounded: index, healthy } = adapters;
      try {
        await healthy.replaceDocument(OWNER, DOCUMENT, await indexedChunks(DOCUMENT, TEXT));
        const chunks = await healthy.countChunks(OWNER, DOCUMENT);
        proxy.set('black-hole');
        const vector = await vectorOf(QUESTION);
        await expectOutageWithinBound(() => index.queryVector({ ownerId: OWNER, k: 3 }, vector));
        await expectOutageWithinBound(() => index.queryLexical({ ownerId: OWNER, k: 3 }, QUESTION));
        await expectOutageWithinBound(async () =>
          index.replaceDocument(OWNER, 'doc-new', await indexedChunks('doc-new', TEXT)),
        );
        await expectOutageWithinBound(() => index.removeDocument(OWNER, DOCUMENT));
        await expectOutageWithinBound(() => index.ping());

        proxy.set('pass');
        // The adapter that gave up answers again (a heartbeat, which touches
        // no disk); the collection, left as it was, serves and takes writes.
        await index.ping();
        await searchFinds(healthy);
        expect(await healthy.countChunks(OWNER, DOCUMENT)).toBe(chunks);
        await healthy.replaceDocument(OWNER, 'doc-new', await indexedChunks('doc-new', TEXT));
        expect(await healthy.countChunks(OWNER, 'doc-new')).toBe(chunks);
      } finally {
        await adapters.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "fails the adapter's own record write within the deadline when only writes go unanswered, leaving the document as it was",
    async () => {
      const adapters = await openBoth();
      const { bounded: index, healthy } = adapters;
      try {
        await healthy.replaceDocument(OWNER, DOCUMENT, await indexedChunks(DOCUMENT, TEXT));
        const chunks = await healthy.countChunks(OWNER, DOCUMENT);
        proxy.set('black-hole', /^POST \S+\/(?:add|upsert) /);
        const changed = await indexedChunks(DOCUMENT, `${TEXT} An added closing sentence.`);
        await expectOutageWithinBound(() => index.replaceDocument(OWNER, DOCUMENT, changed));
        expect(await healthy.countChunks(OWNER, DOCUMENT)).toBe(chunks);

        proxy.set('pass');
        await index.ping();
        await healthy.replaceDocument(OWNER, DOCUMENT, changed);
        expect(await healthy.countChunks(OWNER, DOCUMENT)).toBe(changed.length);
      } finally {
        await adapters.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'fails a search whose answer trickles at the deadline, not when its last byte arrives, and works again once Chroma answers at speed',
    async () => {
      const adapters = await openBoth();
      const { bounded: index, healthy } = adapters;
      try {
        await healthy.replaceDocument(OWNER, DOCUMENT, await indexedChunks(DOCUMENT, TEXT));
        proxy.set('trickle');
        const vector = await vectorOf(QUESTION);
        await expectOutageWithinBound(() => index.queryVector({ ownerId: OWNER, k: 3 }, vector));
        await expectOutageWithinBound(() => index.queryLexical({ ownerId: OWNER, k: 3 }, QUESTION));
        // A write lists the document's records first: that answer trickles too.
        const changed = await indexedChunks(DOCUMENT, `${TEXT} An added closing sentence.`);
        await expectOutageWithinBound(() => index.replaceDocument(OWNER, DOCUMENT, changed));

        proxy.set('pass');
        await index.ping();
        await searchFinds(healthy);
      } finally {
        await adapters.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
