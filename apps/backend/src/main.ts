import { createServer, type RequestListener } from 'node:http';
import { join } from 'node:path';
import {
  backendFields,
  loadBackendConfig,
  SERVER_KEEP_ALIVE_TIMEOUT_MS,
} from '@docuthinker/config';
import { ExtractionPool, extractionWorkersFor } from '@docuthinker/documents';
import {
  availableMemory,
  closeHttpServer,
  installGracefulShutdown,
  LEAVE_HOST_CHECK_TO_LISTENER,
  continueOnlyWithin,
  exitWithFailure,
  refuseConnectRequests,
  refuseUnmetExpectations,
  refusingRequestsWithoutHost,
  startServiceContext,
} from '@docuthinker/runtime';
import { createStores, type Stores } from '@docuthinker/stores';
import { createBackendApp } from './app';
import { embeddedTokensValidFrom } from './auth/embedded-tokens-valid-from';
import { createGatewayClient } from './gateway/gateway-client';
import { problem } from './errors';
import { backendClientErrors } from './middleware/client-errors';
import { DEFAULT_BODY_RATE_FLOOR } from './middleware/slow-body-cutoff';
import { openStores } from './open-stores';
import { largestBodyBytes } from './routes/documents/read-multipart-upload';
import { startOutboxWorker, type OutboxWorker } from './outbox/outbox-worker';
import { LOGIN_LIMIT_WINDOW_SECONDS } from './services/account-service';
import { DocumentCache } from './services/document-cache';
import { startExpiredChatSweeper, type ExpiredChatSweeper } from './services/expired-chat-sweeper';
import { createStartingApp } from './starting-app';
import { storeReadinessChecks } from './store-readiness';

/** Composition root: config, stores, gateway client, app, listen, and the one shutdown path. */
async function main(): Promise<void> {
  const { config, logger } = await startServiceContext({
    service: 'backend',
    fields: backendFields,
    load: loadBackendConfig,
  });

  const gateway = createGatewayClient({
    baseUrl: config.aimlUrl,
    serviceToken: config.serviceToken,
    // The outbox starts once the stores are open (running.worker, below).
    onRecovered: () => running.worker?.gatewayRecovered(),
  });
  let handleRequest: RequestListener = createStartingApp(logger, config.corsOrigins);
  const server = createServer(
    LEAVE_HOST_CHECK_TO_LISTENER,
    refusingRequestsWithoutHost((req, res) => handleRequest(req, res), problem, logger),
  );
  // Longer than the load balancer keeps an idle connection: it closes first.
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_TIMEOUT_MS;
  // Node's default, set here so that the pace an upload must keep (the time
  // it has to arrive whole, slow-body-cutoff.ts) is the time it really has.
  server.requestTimeout = DEFAULT_BODY_RATE_FLOOR.arriveWithinMs;
  server.on('clientError', backendClientErrors(logger));
  refuseUnmetExpectations(server, problem, logger);
  refuseConnectRequests(server, problem, logger);
  continueOnlyWithin(server, largestBodyBytes(config.maxUploadBytes), problem, logger);
  let listening: Promise<void> | undefined;
  const listen = () =>
    (listening ??= new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => {
        logger.info({ port: config.port, nodeEnv: config.nodeEnv }, 'backend listening');
        resolve();
      });
    }));

  // As many workers as the task's memory holds at their peak: past it, one
  // account's uploads would get the whole service killed.
  const memory = await availableMemory();
  const extractionWorkers = extractionWorkersFor(memory?.mebibytes);
  logger.info({ memory, extractionWorkers }, 'extraction pool sized');
  // Built next to this file (see project.json); threads start on the first upload.
  const extractor = new ExtractionPool({
    workerFile: join(__dirname, 'extraction-worker.js'),
    timeoutMs: config.extractionTimeoutMs,
    size: extractionWorkers,
  });
  const starting = new AbortController();
  // Revoked tokens are published where the gateway reads them: the same
  // Redis when there is one (it connects while the stores open), else the
  // record in the data directory the gateway of `npm start` shares.
  const { redisUrl } = config;
  const tokensValidFrom = redisUrl
    ? import('./auth/tokens-valid-from-connection').then((connection) =>
        connection.connectTokensValidFrom(redisUrl, { logger }),
      )
    : Promise.resolve(embeddedTokensValidFrom(config.dataDir));
  // Filled in once the stores are open; the shutdown steps close whatever exists by then.
  const running: {
    stores?: Stores;
    worker?: OutboxWorker;
    chatSweeper?: ExpiredChatSweeper;
  } = {};
  installGracefulShutdown({
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
    // Under `npm start`, stop when the launcher is gone (see supervise-services.mjs).
    followSupervisor: true,
    steps: [
      { name: 'http', run: () => closeHttpServer(server, config.drainTimeoutMs) },
      {
        name: 'outbox-worker',
        run: async () => {
          starting.abort();
          await running.worker?.stop();
        },
      },
      { name: 'expired-chat-sweeper', run: async () => running.chatSweeper?.stop() },
      { name: 'extraction-workers', run: () => extractor.close() },
      { name: 'stores', run: async () => running.stores?.close() },
      { name: 'token-revocations', run: async () => (await tokensValidFrom)?.close() },
    ],
  });

  const stores = await openStores(
    () =>
      createStores({
        ...config,
        onRedisError: (error) => logger.warn({ error: error.message }, 'redis unavailable'),
        onRedisRecovered: () => logger.info('redis reachable again'),
      }),
    { logger, signal: starting.signal, serveMeanwhile: listen },
  );
  if (!stores) return;
  running.stores = stores;
  logger.info({ adapters: stores.adapters }, 'stores open');
  const documentCache = new DocumentCache(stores.cache);
  const worker = startOutboxWorker(stores, gateway, documentCache, logger);
  running.worker = worker;
  running.chatSweeper = startExpiredChatSweeper(stores.chatSessions, logger);
  handleRequest = createBackendApp({
    config,
    logger,
    stores,
    gateway,
    extractor,
    readinessChecks: storeReadinessChecks(stores),
    onOutboxWork: worker.wake,
    documentCache,
    tokensValidFrom: (await tokensValidFrom)?.record,
    registrationLimit: { points: config.registrationsPerHour, windowSeconds: 60 * 60 },
    loginLimits: {
      perIp: { points: config.loginAttemptsPerIp, windowSeconds: LOGIN_LIMIT_WINDOW_SECONDS },
      perEmail: { points: config.loginAttemptsPerEmail, windowSeconds: LOGIN_LIMIT_WINDOW_SECONDS },
    },
  });
  await listen();
}

main().catch((error: unknown) =>
  exitWithFailure('backend failed to start', error, { fields: backendFields }),
);
