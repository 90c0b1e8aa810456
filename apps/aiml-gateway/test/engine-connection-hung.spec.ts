import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { GATEWAY_API } from '@docuthinker/contracts';
import {
  createAiEngine,
  EmbeddingMismatchError,
  type AiEngineConfig,
} from '@docuthinker/ai-engine';
import { createDocumentAnalyzer } from '../src/analyze/create-document-analyzer';
import { createGatewayApp } from '../src/app';
import { EngineConnection, type GatewayServices } from '../src/engine/engine-connection';
import { GatewayMetrics } from '../src/metrics/gateway-metrics';
import { asService, JWT_SECRET, SERVICE_TOKEN } from './support/test-gateway';

// Found in review: a store that accepts connections and never answers (a
// black-holed Chroma or Neo4j) kept each connect attempt pending for minutes
// (`/ready` said "connecting" for 302 s), and close() awaited it, so SIGTERM
// overran the shutdown deadline and the process exited 1.

/** Deadline of one attempt in these tests; bounds below are loose multiples of it. */
const DEADLINE_MS = 250;
/** A deadline no test reaches: close() must not depend on it. */
const NEVER_MS = 60_000;

interface Attempt {
  readonly signal: AbortSignal | undefined;
  readonly resolve: (services: GatewayServices) => void;
  readonly reject: (error: unknown) => void;
}

/** Services that record being closed. */
function recordingServices() {
  const closed = { analyzer: false, engine: false };
  const services = {
    analyzer: { close: () => void (closed.analyzer = true) },
    engine: { close: async () => void (closed.engine = true) },
  } as unknown as GatewayServices;
  return { services, closed };
}

/** A connection whose every attempt hangs until the test settles it, if ever. */
function hangingConnection(attemptTimeoutMs: number) {
  const attempts: Attempt[] = [];
  const logLines: Array<{ level: number; msg: string; err?: Record<string, unknown> }> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logLines.push(JSON.parse(line)) },
  );
  const connection = EngineConnection.start(
    (signal?: AbortSignal) =>
      new Promise<GatewayServices>((resolve, reject) => {
        attempts.push({ signal, resolve, reject });
      }),
    { logger, initialRetryMs: 1, maxRetryMs: 1, attemptTimeoutMs },
  );
  return { connection, attempts, logLines };
}

/** The attempt at `index` (negative: from the end), which must have started. */
function attemptAt(attempts: readonly Attempt[], index: number): Attempt {
  const attempt = attempts.at(index);
  if (!attempt) throw new Error(`attempt ${index} has not started`);
  return attempt;
}

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds, up to a bound. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await settle(5);
  }
}

/** 'settled' when `promise` settles within `ms`, else what it was doing. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`still pending after ${ms} ms`), ms);
  });
  try {
    return await Promise.race([promise.then(() => 'settled'), late]);
  } finally {
    clearTimeout(timer);
  }
}

const neo4jRefused = () =>
  Object.assign(new Error('Failed to connect to server. Caused by: connect ECONNREFUSED'), {
    name: 'Neo4jError',
    code: 'ServiceUnavailable',
    retryable: true,
  });

const mismatch = () =>
  new EmbeddingMismatchError(
    'the embedded vector index',
    { model: 'text-embedding-3-small', dimensions: 1536 },
    { model: 'hashing-384', dimensions: 384 },
  );

// An abandoned connect settles unwatched by the attempt: jest fails the test
// in which a rejection goes unhandled, so each late failure below is
// followed by a wait within its test.

describe('a connect attempt that never answers', () => {
  it('fails at its deadline like an outage, shows so on /ready, and is retried', async () => {
    const { connection, attempts, logLines } = hangingConnection(DEADLINE_MS);
    const app = createGatewayApp({
      config: { jwtSecret: JWT_SECRET, serviceToken: SERVICE_TOKEN, aiCallsPerMinute: 60 },
      logger: pino({ level: 'silent' }),
      connection,
      metrics: new GatewayMetrics(),
    });
    try {
      await until(() => connection.lastFailure !== 'connecting', 5 * DEADLINE_MS);
      expect(connection.lastFailure).toMatch(/did not answer within 250 ms/);
      expect(connection.failedPermanently).toBeUndefined();
      // The connect was told that its attempt was abandoned.
      expect(attemptAt(attempts, 0).signal?.aborted).toBe(true);

      // What a refused connection shows: /ready down with the reason, 503 to clients.
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'unavailable',
        detail: `ai-engine: ${connection.lastFailure}`,
        dependencies: { 'ai-engine': { state: 'down', error: connection.lastFailure } },
      });
      const answer = await app.inject({
        method: 'POST',
        url: GATEWAY_API.task('summary'),
        headers: asService,
        payload: { text: 'Anything at all.' },
      });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({
        code: 'DT_ERR_ENGINE_UNAVAILABLE',
        detail: 'the vector index or the knowledge graph cannot be reached yet',
      });
      expect(logLines).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: 'ai engine cannot reach its stores yet; retrying',
          err: expect.objectContaining({ code: 'ETIMEDOUT' }),
        }),
      );

      // Retried with backoff; a later attempt that answers is used. Attempts
      // keep timing out (the next starting 1 ms later), so the one answered is
      // one seen still running, answered before any timer can end it.
      await until(
        () => attempts.length >= 2 && !attemptAt(attempts, -1).signal?.aborted,
        5 * DEADLINE_MS,
      );
      const answered = attemptAt(attempts, -1);
      const { services, closed } = recordingServices();
      answered.resolve(services);
      await until(() => connection.current !== undefined, 5 * DEADLINE_MS);
      expect(connection.current).toBe(services);
      expect(closed).toEqual({ analyzer: false, engine: false });
      // An attempt that ended in time keeps its signal: its services may hold it.
      expect(answered.signal?.aborted).toBe(false);
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).not.toBe(503);
    } finally {
      await app.close();
      await settledWithin(connection.close(), 5 * DEADLINE_MS);
    }
  });

  // Found in review: a late success was always closed, so stores that take
  // a little longer than the deadline were connected to and let go for ever.
  it('uses a connect that succeeds after its deadline while nothing else has, and closes a retry that connects after it', async () => {
    const { connection, attempts, logLines } = hangingConnection(DEADLINE_MS);
    await until(() => connection.lastFailure !== 'connecting', 5 * DEADLINE_MS);
    await until(() => attempts.length >= 2, 5 * DEADLINE_MS);
    const late = recordingServices();
    attemptAt(attempts, 0).resolve(late.services);
    await until(() => connection.current !== undefined, 5 * DEADLINE_MS);
    expect(connection.current).toBe(late.services);
    expect(late.closed).toEqual({ analyzer: false, engine: false });
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining('connected after its attempt was given up on'),
      }),
    );

    // The retry in flight is given up on, and none follows it.
    const attemptsAtAdoption = attempts.length;
    expect(attemptAt(attempts, -1).signal?.aborted).toBe(true);
    const warningsAtAdoption = logLines.filter((line) => line.level >= 40).length;
    await settle(4 * DEADLINE_MS);
    expect(attempts).toHaveLength(attemptsAtAdoption);
    expect(logLines.filter((line) => line.level >= 40)).toHaveLength(warningsAtAdoption);
    expect(connection.failedPermanently).toBeUndefined();

    // Should the retry connect all the same, later: closed, never used.
    const retry = recordingServices();
    attemptAt(attempts, -1).resolve(retry.services);
    await until(() => retry.closed.engine, 5 * DEADLINE_MS);
    expect(retry.closed.analyzer).toBe(true);
    expect(connection.current).toBe(late.services);
    await connection.close();
    expect(late.closed).toEqual({ analyzer: true, engine: true });
  });

  it('closes a connect that succeeds after its deadline once another attempt has failed for good', async () => {
    const { connection, attempts } = hangingConnection(DEADLINE_MS);
    await until(() => attempts.length >= 2, 5 * DEADLINE_MS);
    attemptAt(attempts, -1).reject(mismatch());
    await until(() => connection.failedPermanently !== undefined, 5 * DEADLINE_MS);
    const failure = connection.lastFailure;
    const late = recordingServices();
    attemptAt(attempts, 0).resolve(late.services);
    await until(() => late.closed.engine, 5 * DEADLINE_MS);
    // The gateway is stopping: it does not turn ready again.
    expect(connection.current).toBeUndefined();
    expect(connection.lastFailure).toBe(failure);
    await connection.close();
  });

  it('ignores a connect that fails after its deadline, however it fails', async () => {
    const { connection, attempts } = hangingConnection(DEADLINE_MS);
    await until(() => connection.lastFailure !== 'connecting', 5 * DEADLINE_MS);
    const failure = connection.lastFailure;
    // Not an outage: had it come in time, the attempts would have ended.
    attemptAt(attempts, 0).reject(mismatch());
    await settle();
    expect(connection.failedPermanently).toBeUndefined();
    expect(connection.lastFailure).toMatch(/did not answer within/);
    expect(failure).toMatch(/did not answer within/);
    await connection.close();
  });
});

describe('close() while a connect attempt hangs', () => {
  it('resolves promptly, without waiting for the attempt or its deadline', async () => {
    const { connection, attempts } = hangingConnection(NEVER_MS);
    await until(() => attempts.length === 1, 5 * DEADLINE_MS);
    expect(await settledWithin(connection.close(), 5 * DEADLINE_MS)).toBe('settled');
    expect(attemptAt(attempts, 0).signal?.aborted).toBe(true);
    // Nothing more is attempted once closed.
    await settle();
    expect(attempts).toHaveLength(1);
  });

  it('closes a connect that succeeds after close()', async () => {
    const { connection, attempts, logLines } = hangingConnection(NEVER_MS);
    await until(() => attempts.length === 1, 5 * DEADLINE_MS);
    expect(await settledWithin(connection.close(), 5 * DEADLINE_MS)).toBe('settled');
    const late = recordingServices();
    attemptAt(attempts, 0).resolve(late.services);
    await until(() => late.closed.engine, 5 * DEADLINE_MS);
    expect(late.closed.analyzer).toBe(true);
    expect(connection.current).toBeUndefined();
    // Closing while shutting down is expected: no warning.
    expect(logLines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it.each([
    ['an outage', neo4jRefused()],
    ['an error retrying cannot mend', mismatch()],
  ])('ignores a connect that fails with %s after close()', async (_case, failure) => {
    const { connection, attempts, logLines } = hangingConnection(NEVER_MS);
    await until(() => attempts.length === 1, 5 * DEADLINE_MS);
    expect(await settledWithin(connection.close(), 5 * DEADLINE_MS)).toBe('settled');
    attemptAt(attempts, 0).reject(failure);
    await settle();
    expect(connection.failedPermanently).toBeUndefined();
    expect(await settledWithin(connection.failedForGood, 50)).not.toBe('settled');
    expect(logLines.filter((line) => line.level >= 40)).toEqual([]);
    expect(attempts).toHaveLength(1);
  });
});

/** A Chroma address that accepts connections and never answers: a black-holed store. */
async function blackHole(): Promise<{
  url: string;
  accepted: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the real engine against a Chroma that accepts and never answers', () => {
  /** Longer than the fakes': the first attempt also loads the Chroma client. */
  const REAL_DEADLINE_MS = 1000;
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-gateway-hung-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('gives up each attempt at its deadline, retries, and closes at once', async () => {
    const chroma = await blackHole();
    const config: AiEngineConfig = {
      dataDir,
      syncVector: true,
      syncGraph: false,
      chromaUrl: chroma.url,
      providers: ['local'],
      providerKeys: {},
    };
    // As main.ts connects.
    const connection = EngineConnection.start(
      async () => {
        const engine = await createAiEngine(config);
        return { engine, analyzer: createDocumentAnalyzer(config, engine) };
      },
      {
        logger: pino({ level: 'silent' }),
        initialRetryMs: 1,
        maxRetryMs: 1,
        attemptTimeoutMs: REAL_DEADLINE_MS,
      },
    );
    try {
      await until(() => connection.lastFailure !== 'connecting', 5 * REAL_DEADLINE_MS);
      expect(connection.lastFailure).toMatch(/did not answer within 1000 ms/);
      expect(connection.failedPermanently).toBeUndefined();
      await until(() => chroma.accepted() >= 2, 5 * REAL_DEADLINE_MS);
      expect(await settledWithin(connection.close(), 5 * REAL_DEADLINE_MS)).toBe('settled');
    } finally {
      await settledWithin(connection.close(), 5 * REAL_DEADLINE_MS);
      // The abandoned requests now fail: ignored, and no rejection goes unhandled.
      await chroma.close();
      await settle(200);
    }
    expect(connection.failedPermanently).toBeUndefined();
  }, 30_000);
});
