import { startChroma, type RunningService } from '@docuthinker/testing';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VectorWriteRejectedError } from '../src/errors';
import { CHROMA_BREAKER_THRESHOLD } from '../src/retrieval/chroma-circuit';
import { ChromaVectorIndex } from '../src/retrieval/chroma-vector-index';
import {
  contractEmbedder,
  expectSearchFinds,
  indexedChunks,
  vectorOf,
} from './support/vector-index-contract';

/**
 * Chroma's circuit breaker, against a real Chroma behind an HTTP proxy that
 * can stop answering (accept each request and never answer, as a hung Chroma
 * does), answer a status of its own, or cut each connection at once. Found
 * in review: a hung Chroma cost every search, ask and write its whole
 * deadline (15 s) before the 503, although /ready knew within 2 s.
 */

/** The adapter's deadlines here: an unanswered call fails after this. */
const DEADLINE_MS = 500;
/**
 * How long the circuit stays open here: room for the ~0.7 s of calls (a hung
 * ping among them) a test makes while it must still be open, on a loaded machine.
 */
const HALF_OPEN_AFTER_MS = 3_000;
/**
 * The deadlines where a test is about answers, not their absence: a write
 * into a real Chroma on a loaded CI machine took over 500 ms.
 */
const PATIENT_DEADLINE_MS = 10_000;
/**
 * "At once": a call the open circuit keeps out fails within this, under the
 * deadline an unanswered call waits (no request is sent either, checked apart).
 */
const AT_ONCE_MS = 400;
/** Long enough that a hanging call shows up as a failed test, not a hung run. */
const TEST_TIMEOUT_MS = 30_000;

type Behaviour =
  | { readonly kind: 'pass' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'answer'; readonly status: number };

interface ChromaProxy {
  readonly url: string;
  /** Requests that reached the proxy so far. */
  readonly requests: number;
  /** How requests are treated from now on: all, or those whose path matches `only`. */
  set(behaviour: Behaviour, only?: RegExp): void;
  close(): Promise<void>;
}

async function chromaProxy(target: RunningService): Promise<ChromaProxy> {
  let behaviour: Behaviour = { kind: 'pass' };
  let only: RegExp | undefined;
  let requests = 0;
  const forward = async (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const answer = await fetch(new URL(request.url ?? '/', target.url), {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      ...(body.length > 0 ? { body } : {}),
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
  const server = createServer((request, response) => {
    requests += 1;
    const path = request.url ?? '/';
    const current: Behaviour = only && !only.test(path) ? { kind: 'pass' } : behaviour;
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      switch (current.kind) {
        case 'hang':
          // Accepted, never answered: the client's deadline ends it.
          return;
        case 'cut':
          request.socket.destroy();
          return;
        case 'answer':
          response.writeHead(current.status, { 'content-type': 'application/json' });
          response.end('{"error":"InjectedByTest","message":"injected by the test proxy"}');
          return;
        case 'pass':
          forward(request, response, Buffer.concat(body)).catch(() => response.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    set(next, pattern) {
      behaviour = next;
      only = pattern;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How `operation` failed, and after how long. */
async function failure(
  operation: () => Promise<unknown>,
): Promise<{ error: Error & { retryAfterMs?: number }; ms: number }> {
  const started = performance.now();
  try {
    await operation();
  } catch (error) {
    return { error: error as Error, ms: performance.now() - started };
  }
  throw new Error(`expected a failure, but it succeeded after ${performance.now() - started} ms`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const OWNER = 'owner-circuit';
const DOCUMENT = 'doc-circuit';
const TEXT =
  'The quarterly revenue report mentions margins and forecasts. Shipping costs fell in May.';
const QUESTION = 'quarterly revenue margins';

let chroma: RunningService;
let proxy: ChromaProxy;
let collectionCounter = 0;
let open: ChromaVectorIndex[] = [];
let lastUnanswered: Error | undefined;

beforeAll(async () => {
  chroma = await startChroma();
  proxy = await chromaProxy(chroma);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await chroma?.stop();
});

afterEach(async () => {
  proxy.set({ kind: 'pass' });
  await Promise.all(open.map((index) => index.close()));
  open = [];
});

/**
 * The adapter through the proxy, with short deadlines (unless told) and
 * circuit, on a collection holding one document, written beforehand
 * straight to Chroma with patient deadlines (two CI runs failed on this
 * write through the proxy, past 500 ms).
 */
async function connectWithDocument(deadlineMs = DEADLINE_MS): Promise<ChromaVectorIndex> {
  const collectionPrefix = `circuit-${(collectionCounter += 1)}`;
  const connect = async (url: string, timeoutMs: number) => {
    const index = await ChromaVectorIndex.connect({
      url,
      embedding: contractEmbedder,
      collectionPrefix,
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
      halfOpenAfterMs: HALF_OPEN_AFTER_MS,
    });
    open.push(index);
    return index;
  };
  const writer = await connect(chroma.url, PATIENT_DEADLINE_MS);
  await writer.replaceDocument(OWNER, DOCUMENT, await indexedChunks(DOCUMENT, TEXT));
  // Opening it is not under test, and within the short deadline it failed
  // once on a loaded CI machine: a few tries before the test starts.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await connect(proxy.url, deadlineMs);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Fails as an outage that waited for its deadline. */
async function expectUnanswered(operation: () => Promise<unknown>): Promise<void> {
  const { error, ms } = await failure(operation);
  expect(error.name).toBe('ChromaConnectionError');
  expect(error.message).not.toMatch(/circuit/);
  expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS / 2);
}

/** Fails at once, as an outage (503 at the routes), without a request to Chroma. */
async function expectKeptOut(
  index: ChromaVectorIndex,
  operation: () => Promise<unknown>,
): Promise<{ error: Error & { retryAfterMs?: number }; ms: number }> {
  const before = proxy.requests;
  const outcome = await failure(operation);
  expect(outcome.error.name).toBe('ChromaConnectionError');
  expect(outcome.error.message).toMatch(/^Chroma's circuit is open after repeated failures/);
  expect(outcome.ms).toBeLessThan(AT_ONCE_MS);
  expect(proxy.requests).toBe(before);
  expect(index.circuit).not.toBe('closed');
  return outcome;
}

/** Hangs Chroma for the threshold's calls, which open the circuit; resolves when they have failed. */
async function openCircuit(index: ChromaVectorIndex): Promise<number> {
  proxy.set({ kind: 'hang' });
  const vector = await vectorOf(QUESTION);
  const calls = [
    () => index.queryVector({ ownerId: OWNER, k: 3 }, vector),
    () => index.queryLexical({ ownerId: OWNER, k: 3 }, QUESTION),
    () => index.countChunks(OWNER),
  ];
  expect(calls).toHaveLength(CHROMA_BREAKER_THRESHOLD);
  for (const call of calls) {
    expect(index.circuit).toBe('closed');
    await expectUnanswered(call);
  }
  return performance.now();
}

/** The error of a call that went unanswered. */
async function unansweredError(
  operation: () => Promise<unknown>,
): Promise<Error & { retryAfterMs?: number }> {
  await expectUnanswered(async () => {
    try {
      await operation();
    } catch (error) {
      lastUnanswered = error as Error;
      throw error;
    }
  });
  return lastUnanswered as Error;
}

const searchFinds = (index: ChromaVectorIndex) =>
  expectSearchFinds(index, OWNER, DOCUMENT, QUESTION);

describe("ChromaVectorIndex's circuit breaker", () => {
  it(
    'fails every call at once after three calls in a row went unanswered, leaves readiness past it, and closes once a test call finds Chroma answering',
    async () => {
      const index = await connectWithDocument();
      const openedAt = await openCircuit(index);

      const vector = await vectorOf(QUESTION);
      const search = await expectKeptOut(index, () =>
        index.queryVector({ ownerId: OWNER, k: 3 }, vector),
      );
      // How long the circuit stays open, for the route's Retry-After.
      expect(search.error.retryAfterMs).toBeGreaterThan(0);
      expect(search.error.retryAfterMs).toBeLessThanOrEqual(HALF_OPEN_AFTER_MS);
      expect(index.circuit).toBe('open');
      await expectKeptOut(index, () => index.queryLexical({ ownerId: OWNER, k: 3 }, QUESTION));
      await expectKeptOut(index, async () =>
        index.replaceDocument(OWNER, 'doc-new', await indexedChunks('doc-new', TEXT)),
      );
      await expectKeptOut(index, () => index.removeDocument(OWNER, DOCUMENT));
      await expectKeptOut(index, () => index.removeOwner(OWNER));

      // Readiness is not kept out: it asks Chroma itself, hung or not.
      let before = proxy.requests;
      await expectUnanswered(() => index.ping());
      expect(proxy.requests).toBe(before + 1);
      proxy.set({ kind: 'pass' });
      before = proxy.requests;
      await index.ping();
      expect(proxy.requests).toBe(before + 1);
      // A heartbeat does not close the circuit: the other calls wait for their test call.
      expect(index.circuit).toBe('open');
      await expectKeptOut(index, () => index.countChunks(OWNER));

      await sleep(openedAt + HALF_OPEN_AFTER_MS + 50 - performance.now());
      before = proxy.requests;
      await searchFinds(index);
      expect(proxy.requests).toBeGreaterThan(before);
      expect(index.circuit).toBe('closed');
      expect(await index.countChunks(OWNER, DOCUMENT)).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps the other calls out while a test call waits on a Chroma still hung, and opens again when it fails',
    async () => {
      const index = await connectWithDocument();
      const openedAt = await openCircuit(index);
      expect(index.circuit).toBe('open');
      await sleep(openedAt + HALF_OPEN_AFTER_MS + 50 - performance.now());
      // Due for its test call: readiness says so before one comes.
      expect(index.circuit).toBe('half-open');

      const vector = await vectorOf(QUESTION);
      const test = failure(() => index.queryVector({ ownerId: OWNER, k: 3 }, vector));
      expect(index.circuit).toBe('half-open');
      const other = await expectKeptOut(index, () => index.countChunks(OWNER));
      // How long the test call takes is unknown: the route's default Retry-After stands.
      expect(other.error.retryAfterMs).toBeUndefined();

      const { error, ms } = await test;
      expect(error.name).toBe('ChromaConnectionError');
      expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS / 2);
      expect(index.circuit).toBe('open');
      await expectKeptOut(index, () => index.queryLexical({ ownerId: OWNER, k: 3 }, QUESTION));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'tells the caller whose outage opened the circuit how long it stays open, and starts counting afresh after a test call refused at once closed it',
    async () => {
      const index = await connectWithDocument();
      const vector = await vectorOf(QUESTION);
      const unanswered = () => index.queryVector({ ownerId: OWNER, k: 3 }, vector);
      proxy.set({ kind: 'hang' });
      for (let call = 1; call < CHROMA_BREAKER_THRESHOLD; call += 1) {
        expect((await unansweredError(unanswered)).retryAfterMs).toBeUndefined();
      }
      const opening = await unansweredError(unanswered);
      const openedAt = performance.now();
      expect(index.circuit).toBe('open');
      expect(opening.retryAfterMs).toBeGreaterThan(HALF_OPEN_AFTER_MS / 2);
      expect(opening.retryAfterMs).toBeLessThanOrEqual(HALF_OPEN_AFTER_MS);

      // Chroma restarting: the test call is refused at once, which closes the circuit.
      proxy.set({ kind: 'cut' });
      await sleep(openedAt + HALF_OPEN_AFTER_MS + 50 - performance.now());
      await expect(index.countChunks(OWNER)).rejects.toMatchObject({
        name: 'ChromaConnectionError',
      });
      expect(index.circuit).toBe('closed');
      // Hung again: one unanswered call is one, not the fourth in a row.
      proxy.set({ kind: 'hang' });
      await expectUnanswered(unanswered);
      expect(index.circuit).toBe('closed');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts only outages in a row: an answer between them starts the count again',
    async () => {
      const index = await connectWithDocument();
      const vector = await vectorOf(QUESTION);
      const unanswered = () => index.queryVector({ ownerId: OWNER, k: 3 }, vector);
      for (let round = 0; round < 2; round += 1) {
        proxy.set({ kind: 'hang' });
        for (let call = 1; call < CHROMA_BREAKER_THRESHOLD; call += 1)
          await expectUnanswered(unanswered);
        // Chroma answers, with an error of its own: it is there.
        proxy.set({ kind: 'answer', status: 503 });
        await expect(index.countChunks(OWNER)).rejects.toMatchObject({
          name: 'ChromaServerError',
        });
        expect(index.circuit).toBe('closed');
      }
      proxy.set({ kind: 'pass' });
      await searchFinds(index);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says why a write failed where fetch says only "fetch failed": here, its deadline',
    async () => {
      const index = await connectWithDocument();
      const changed = await indexedChunks(DOCUMENT, `${TEXT} A closing sentence.`);
      proxy.set({ kind: 'hang' }, /\/(?:add|upsert)$/);
      const { error } = await failure(() => index.replaceDocument(OWNER, DOCUMENT, changed));
      expect(error.name).toBe('ChromaConnectionError');
      // fetch hands on the deadline's error as a plain Error that starts with its name.
      expect(error.message).toBe(
        `Failed to connect to Chroma: fetch failed: RequestDeadlineError: no complete answer within ${DEADLINE_MS} ms`,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "does not open on Chroma's refusals, records it refuses, or connections refused at once",
    async () => {
      const index = await connectWithDocument(PATIENT_DEADLINE_MS);
      const vector = await vectorOf(QUESTION);
      const times = CHROMA_BREAKER_THRESHOLD + 2;

      // 4xx answers, which the client raises as its own errors.
      proxy.set({ kind: 'answer', status: 400 });
      for (let call = 0; call < times; call += 1) {
        await expect(index.queryVector({ ownerId: OWNER, k: 3 }, vector)).rejects.toMatchObject({
          name: 'ChromaClientError',
        });
      }
      expect(index.circuit).toBe('closed');

      // Records refused: the adapter's VectorWriteRejectedError.
      proxy.set({ kind: 'answer', status: 422 }, /\/(?:add|upsert)$/);
      const changed = await indexedChunks(DOCUMENT, `${TEXT} A closing sentence.`);
      for (let call = 0; call < times; call += 1) {
        await expect(index.replaceDocument(OWNER, DOCUMENT, changed)).rejects.toBeInstanceOf(
          VectorWriteRejectedError,
        );
      }
      expect(index.circuit).toBe('closed');

      // Connections cut at once (a Chroma stopped or restarting): outages
      // that cost nothing, which the circuit would only make outlast Chroma's return.
      proxy.set({ kind: 'cut' });
      for (let call = 0; call < times; call += 1) {
        const { error, ms } = await failure(() => index.countChunks(OWNER));
        expect(error.name).toBe('ChromaConnectionError');
        // A cut, not a timeout: failed long before its deadline could.
        expect(ms).toBeLessThan(PATIENT_DEADLINE_MS / 4);
      }
      expect(index.circuit).toBe('closed');

      proxy.set({ kind: 'pass' });
      await searchFinds(index);
    },
    TEST_TIMEOUT_MS,
  );
});
