import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayFields, loadGatewayConfig } from '@docuthinker/config';
import { createAiEngine, type AiEngineConfig } from '@docuthinker/ai-engine';
import {
  exitWithFailure,
  installGracefulShutdown,
  startServiceContext,
  type Logger,
} from '@docuthinker/runtime';
import {
  embeddedTokenRevocationsPath,
  LibsqlTokensValidFrom,
} from '@docuthinker/runtime/embedded-token-revocations';
import { createDocumentAnalyzer } from './analyze/create-document-analyzer';
import { createGatewayApp } from './app';
import { TokenRevocationCheck } from './auth/token-revocation-check';
import { EngineConnection } from './engine/engine-connection';
import { providerEvents } from './engine/provider-events';
import { closeGatewayServer } from './http/close-gateway-server';
import { loadRedis } from './load-redis';
import { GatewayMetrics } from './metrics/gateway-metrics';

/** How long start-up waits for the stores before listening anyway (and reporting unready). */
const FIRST_CONNECTION_WAIT_MS = 5000;
/** Where the locks on documents' index writes live in the shared Redis. */
const DOCUMENT_WRITE_LOCK_PREFIX = 'docuthinker:index-write:';
/** How long start-up waits for Redis before saying it is not there (limits are counted here meanwhile). */
const REDIS_STARTUP_WAIT_MS = 2000;

/**
 * The Redis that counts users' AI calls for every replica (the backend's),
 * and where the backend publishes revoked tokens (password changes, deleted
 * accounts). The gateway does not need it: start-up waits for it at most
 * REDIS_STARTUP_WAIT_MS, and while it is unreachable each
 * limiter counts in this process (rate-limiter-flexible's insurance
 * limiter), user tokens are checked on their signature alone, and the client
 * keeps reconnecting. The driver loads only here. It also holds the lock
 * that orders one document's index writes across replicas; while it is
 * unreachable, each replica orders only its own.
 */
function connectRedis(url: string, logger: Logger) {
  const {
    createRedisClient,
    waitForRedis,
    closeRedisClient,
    RedisKeyedMutex,
    RedisRateLimiterFactory,
    RedisTokensValidFrom,
  } = loadRedis();
  const client = createRedisClient(url, {
    onError: (error) => logger.warn({ error: error.message }, 'redis unavailable'),
    onRecovered: () => logger.info('redis reachable again'),
  });
  return {
    rateLimiters: new RedisRateLimiterFactory(client),
    tokensValidFrom: new RedisTokensValidFrom(client),
    documentWriteLock: new RedisKeyedMutex(client, {
      keyPrefix: DOCUMENT_WRITE_LOCK_PREFIX,
      onUnreachable: (error) =>
        logger.warn(
          { error: error.message },
          'redis unavailable: document writes run without the lock the replicas share until it is back',
        ),
      onLockLost: (error) =>
        logger.warn(
          { error: error.message },
          'a document write outlived its lock: another replica may write the document meanwhile',
        ),
    }),
    /** Resolves once connected, or after REDIS_STARTUP_WAIT_MS with a warning. */
    ready: async () => {
      if (!(await waitForRedis(client, REDIS_STARTUP_WAIT_MS))) {
        logger.warn(
          "redis is not reachable yet: users' AI calls are counted per replica and token revocations are not seen meanwhile",
        );
      }
    },
    close: () => closeRedisClient(client),
  };
}

/** Composition root: config, engine, app, listen, and the one shutdown path. */
async function main(): Promise<void> {
  const { config, logger } = await startServiceContext({
    service: 'aiml-gateway',
    fields: gatewayFields,
    load: loadGatewayConfig,
  });

  // The offline engine runs in worker threads from a file built next to this
  // one. Checked here, before the engine connection, which retries store
  // outages: a broken build must stop the start, not serve 503 for ever.
  const offlineWorkerFile = join(__dirname, 'offline-worker.js');
  if (!existsSync(offlineWorkerFile)) {
    throw new Error(
      `${offlineWorkerFile} is missing: build the gateway with nx build aiml-gateway`,
    );
  }

  const metrics = new GatewayMetrics();
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const engineConfig: AiEngineConfig = {
    ...config,
    sharedWriteLock: redis?.documentWriteLock,
    offlineWorkerFile,
    onOfflineWorkerError: (error) =>
      logger.error({ err: error }, 'an offline engine worker thread failed to start'),
    ...providerEvents(logger, metrics),
  };
  const connection = EngineConnection.start(
    async () => {
      const engine = await createAiEngine(engineConfig);
      return { engine, analyzer: createDocumentAnalyzer(engineConfig, engine) };
    },
    { logger },
  );
  // Without Redis, the record the backend beside this gateway writes in the
  // shared data directory (`npm start`): revoked tokens are refused here too.
  const embeddedRevocations = redis
    ? undefined
    : new LibsqlTokensValidFrom(embeddedTokenRevocationsPath(config.dataDir));
  const tokensValidFrom = redis?.tokensValidFrom ?? embeddedRevocations;
  const app = createGatewayApp({
    config,
    logger,
    connection,
    metrics,
    aiCallCounters: redis?.rateLimiters,
    tokenRevocations: new TokenRevocationCheck({ source: tokensValidFrom, logger }),
    bodyLimitBytes: config.maxRequestBytes,
  });

  /** Set once the shutdown has begun: a stop while it waits to start means it never listens. */
  let stopping = false;
  const stop = installGracefulShutdown({
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
    // Under `npm start`, stop when the launcher is gone (see supervise-services.mjs).
    followSupervisor: true,
    steps: [
      {
        name: 'http',
        run: () => {
          stopping = true;
          return closeGatewayServer(app, config.drainTimeoutMs);
        },
      },
      { name: 'ai-engine', run: () => connection.close() },
      ...(redis ? [{ name: 'redis', run: redis.close }] : []),
      ...(embeddedRevocations
        ? [{ name: 'token-revocations', run: () => embeddedRevocations.close() }]
        : []),
    ],
    // A stop forced by an engine that cannot start is a failed start.
    exit: (code) => process.exit(connection.failedPermanently ? 1 : code),
  });

  // Both waits run with the shutdown installed: a stop meanwhile is graceful.
  await Promise.all([connection.firstAttempt(FIRST_CONNECTION_WAIT_MS), redis?.ready()]);
  const failure = connection.failedPermanently;
  if (failure) throw new Error(`the AI engine cannot start: ${failure.message}`);
  // Stopped while it waited (found in review: it logged "stopped", then
  // listened until the exit): the shutdown under way ends the process.
  if (stopping) return;
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info(
    { port: config.port, nodeEnv: config.nodeEnv, providers: config.providers },
    'gateway listening',
  );
  // A failure found later, once a store came back (holding vectors of
  // another embedding model, say), is no outage either: drain and exit 1,
  // so that the orchestrator sees a failing task, not one unready for ever.
  void connection.failedForGood.then(stop);
}

main().catch((error: unknown) =>
  exitWithFailure('aiml-gateway failed to start', error, { fields: gatewayFields }),
);
