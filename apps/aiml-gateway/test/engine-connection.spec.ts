import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { GATEWAY_API } from '@docuthinker/contracts';
import { EmbeddingMismatchError, LibsqlVectorIndex } from '@docuthinker/ai-engine';
import { startServiceProcess, type ServiceProcess } from '@docuthinker/testing';
import { createGatewayApp } from '../src/app';
import { EngineConnection, type GatewayServices } from '../src/engine/engine-connection';
import { GatewayMetrics } from '../src/metrics/gateway-metrics';
import { asService, JWT_SECRET, SERVICE_TOKEN } from './support/test-gateway';

/** An error shaped as a store driver's, matched by name like the gateway does. */
function driverError(name: string, message: string, fields: object = {}): Error {
  return Object.assign(new Error(message), { name, ...fields });
}

const neo4jRefused = () =>
  driverError(
    'Neo4jError',
    'Failed to connect to server. Please ensure that your database is listening on the correct host and port. Caused by: connect ECONNREFUSED 127.0.0.1:9',
    { code: 'ServiceUnavailable', retryable: true },
  );

const mismatch = () =>
  new EmbeddingMismatchError(
    'the embedded vector index at /data/chroma/vectors.db',
    { model: 'text-embedding-3-small', dimensions: 1536 },
    { model: 'hashing-384', dimensions: 384 },
  );

/** A connection whose attempts fail with `failures`, one each, then succeed with nothing usable. */
function connectionFailingWith(failures: unknown[], retryMs = 1) {
  const attempts: number[] = [];
  const logLines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logLines.push(JSON.parse(line)) },
  );
  const connection = EngineConnection.start(
    async () => {
      attempts.push(attempts.length);
      const failure = failures[attempts.length - 1];
      if (failure !== undefined) throw failure;
      return {
        analyzer: { close: () => undefined },
        engine: { close: async () => undefined },
      } as unknown as GatewayServices;
    },
    { logger, initialRetryMs: retryMs, maxRetryMs: retryMs },
  );
  return { connection, attempts, logLines };
}

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds, however slow the machine, up to a bound. */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await settle(5);
  }
}

// Found in review: while the stores were out of reach, every API route
// answered 503 with the driver's own message ("… ECONNREFUSED 127.0.0.1:9",
// Chroma's CORS advice), to users through the load balancer too.
describe('the 503 while the engine cannot reach its stores', () => {
  it.each([
    ['Neo4j', neo4jRefused(), /knowledge graph \(Neo4j\)/],
    [
      'Chroma',
      driverError(
        'ChromaConnectionError',
        'Failed to connect to chromadb. Make sure your server is running and try again. … CHROMA_SERVER_CORS_ALLOW_ORIGINS',
      ),
      /vector index \(Chroma\)/,
    ],
  ])(
    'names the store (%s), never its error text, which /ready keeps',
    async (_store, failure, store) => {
      // No second attempt within the test.
      const { connection } = connectionFailingWith([failure], 60_000);
      const app = createGatewayApp({
        config: { jwtSecret: JWT_SECRET, serviceToken: SERVICE_TOKEN, aiCallsPerMinute: 60 },
        logger: pino({ level: 'silent' }),
        connection,
        metrics: new GatewayMetrics(),
      });
      try {
        await connection.firstAttempt(1000);
        const answer = await app.inject({
          method: 'POST',
          url: GATEWAY_API.task('summary'),
          headers: asService,
          payload: { text: 'Anything at all.' },
        });
        expect(answer.statusCode).toBe(503);
        expect(answer.json()).toMatchObject({
          code: 'DT_ERR_ENGINE_UNAVAILABLE',
          detail: expect.stringMatching(store),
        });
        expect(answer.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|CORS|Failed to connect/);

        const ready = await app.inject({ method: 'GET', url: '/ready' });
        expect(ready.statusCode).toBe(503);
        expect(ready.json().detail).toContain(failure.message);
      } finally {
        await app.close();
        await connection.close();
      }
    },
  );

  it('says the engine is still connecting before the first attempt has ended', async () => {
    const connection = EngineConnection.start(() => new Promise<GatewayServices>(() => undefined), {
      logger: pino({ level: 'silent' }),
    });
    expect(() => connection.require()).toThrow(
      expect.objectContaining({ detail: 'the AI engine is still connecting to its stores' }),
    );
    // Else the attempt's deadline, and the retries after it, outlive the test.
    await connection.close();
  });
});

// Found in review: every failure to build the engine was retried as a store
// outage, for ever: an index recorded with another embedding model left the
// gateway unready for good, where the README says such an error fails the start.
describe('which connection failures the engine retries', () => {
  it.each([
    ['a Neo4j server that refuses connections', neo4jRefused()],
    [
      'a Neo4j pool that timed out acquiring a connection',
      driverError('Neo4jError', 'Connection acquisition timed out in 60000 ms.', {
        code: 'N/A',
        retryable: false,
      }),
    ],
    ['Chroma unreachable', driverError('ChromaConnectionError', 'Failed to connect to Chroma')],
    ['Chroma answering 5xx', driverError('ChromaServerError', 'upstream connect error')],
    ['Chroma answering 429', driverError('ChromaRateLimitError', 'Rate limit exceeded')],
    [
      'a fetch that failed on a refused socket',
      new TypeError('fetch failed', {
        cause: driverError('Error', 'refused', { code: 'ECONNREFUSED' }),
      }),
    ],
    [
      'a host with no address yet',
      new AggregateError([driverError('Error', 'getaddrinfo', { code: 'EAI_AGAIN' })]),
    ],
    [
      'an embedded file another process still holds',
      driverError('SqliteError', 'database is locked', { code: 'SQLITE_BUSY' }),
    ],
  ])('retries %s until it connects', async (_case, failure) => {
    const { connection, attempts } = connectionFailingWith([failure, failure]);
    await connection.firstAttempt(1000);
    // Found in review: a fixed 50 ms wait for two 1 ms retries is a race on a loaded machine.
    await until(() => connection.current !== undefined);
    expect(attempts).toHaveLength(3);
    expect(connection.failedPermanently).toBeUndefined();
    await connection.close();
  });

  it.each([
    ['an index recorded with another embedding model', mismatch()],
    ['a key pool that cannot be built', new Error('a key pool needs at least one key')],
    ['Chroma refusing the credentials', driverError('ChromaAuthError', 'Unauthorized')],
    [
      'a Neo4j URI naming the HTTP port',
      driverError(
        'Neo4jError',
        'Server responded HTTP. Make sure you are not trying to connect to the http endpoint (HTTP defaults to port 7474 whereas BOLT defaults to port 7687)',
        { code: 'N/A', retryable: false },
      ),
    ],
    [
      'Neo4j refusing the login',
      driverError('Neo4jError', 'The client is unauthorized due to authentication failure.', {
        code: 'Neo.ClientError.Security.Unauthorized',
        retryable: false,
      }),
    ],
    [
      'an embedded file that is not a database',
      driverError('SqliteError', 'file is not a database', { code: 'SQLITE_NOTADB' }),
    ],
  ])('gives up at once on %s, and says so at error level', async (_case, failure) => {
    const { connection, attempts, logLines } = connectionFailingWith([failure, failure]);
    await expect(connection.failedForGood).resolves.toBe(failure);
    await settle();
    expect(attempts).toHaveLength(1);
    expect(connection.failedPermanently).toBe(failure);
    expect(connection.current).toBeUndefined();
    expect(logLines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: expect.stringContaining(`ai engine cannot start, and retrying will not help`),
      }),
    ]);
    await connection.close();
  });

  it('gives up when a store comes back with an error retrying cannot mend', async () => {
    const { connection, attempts } = connectionFailingWith([
      neo4jRefused(),
      neo4jRefused(),
      mismatch(),
    ]);
    await expect(connection.failedForGood).resolves.toBeInstanceOf(EmbeddingMismatchError);
    await settle();
    expect(attempts).toHaveLength(3);
    await connection.close();
  });
});

/** The process's exit code, or what it was doing instead once `ms` have passed. */
async function exitCodeWithin(
  service: ServiceProcess,
  ms: number,
): Promise<number | null | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`still running after ${ms} ms`), ms);
  });
  try {
    return await Promise.race([service.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the gateway process when its engine cannot start', () => {
  const BUNDLE = join(__dirname, '../../../dist/apps/aiml-gateway/main.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-gateway-mismatch-'));
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    await service?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Found in review: stopped during that wait, it logged "stopped", then
  // listened until the process exited.
  it('never listens when stopped while it waits for its stores', async () => {
    // A Chroma that accepts connections and never answers: the first attempt waits.
    let accepted = 0;
    const sockets = new Set<Socket>();
    const chroma = createServer((socket) => {
      accepted += 1;
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => chroma.listen(0, '127.0.0.1', resolve));
    const { port } = chroma.address() as AddressInfo;
    try {
      service = await startServiceProcess(
        BUNDLE,
        {
          NODE_ENV: 'development',
          DOCUTHINKER_DATA_DIR: dataDir,
          DOCUTHINKER_CHROMA_URL: `http://127.0.0.1:${port}`,
        },
        { waitFor: null },
      );
      for (let waited = 0; accepted === 0 && waited < 15_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(accepted).toBeGreaterThan(0);
      expect(await service.stop('SIGTERM')).toBe(0);
      expect(service.output()).toMatch(/stopped/);
      expect(service.output()).not.toMatch(/gateway listening|Server listening/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => chroma.close(() => resolve()));
    }
  }, 30_000);

  it('exits 1 with a clear line when the embedded index holds vectors of another model', async () => {
    await LibsqlVectorIndex.open({
      path: join(dataDir, 'chroma', 'vectors.db'),
      embedding: { model: 'text-embedding-3-small', dimensions: 1536 },
    }).close();
    service = await startServiceProcess(
      BUNDLE,
      { NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: dataDir },
      { waitFor: null },
    );
    expect(await exitCodeWithin(service, 15_000)).toBe(1);
    const output = service.output();
    expect(output).toMatch(
      /aiml-gateway failed to start: the AI engine cannot start: .*holds vectors of text-embedding-3-small/,
    );
    expect(output).not.toMatch(/gateway listening/);
  }, 30_000);
});
