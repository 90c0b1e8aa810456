import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtractionPool } from '@docuthinker/documents';
import { createServiceLogger } from '@docuthinker/runtime';
import { createStores, type Stores, type StoresConfig } from '@docuthinker/stores';
import { createBackendApp } from '../../src/app';
import { backendClientErrors } from '../../src/middleware/client-errors';
import type { LoginLimits, RegistrationLimit } from '../../src/services/account-service';
import { createGatewayClient } from '../../src/gateway/gateway-client';
import { startOutboxWorker, type OutboxWorker } from '../../src/outbox/outbox-worker';
import { DocumentCache } from '../../src/services/document-cache';
import { storeReadinessChecks } from '../../src/store-readiness';
import type { BodyRateFloor } from '../../src/middleware/slow-body-cutoff';

export const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const ALLOWED_ORIGIN = 'https://app.docuthinker.test';
export const MAX_UPLOAD_BYTES = 1024 * 1024;

/**
 * The extraction worker as `nx build backend` writes it (the test target
 * depends on the build): worker threads run JavaScript, not these sources.
 */
const EXTRACTION_WORKER_FILE = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'dist',
  'apps',
  'backend',
  'extraction-worker.js',
);

export interface RunningBackend {
  readonly url: string;
  /** Embedded data and, under `documents/`, the original files. */
  readonly dataDir: string;
  readonly stores: Stores;
  readonly worker: OutboxWorker;
  /** Every log line written so far. */
  logs(): string;
  close(): Promise<void>;
}

export interface BackendOptions {
  gatewayUrl: string;
  loginLimits?: LoginLimits;
  /** Sign-ups per client address; the service's default (20 an hour) when absent. */
  registrationLimit?: RegistrationLimit;
  /** Production adapters (Redis, S3) instead of the embedded ones. */
  stores?: Omit<StoresConfig, 'dataDir'>;
  /** The bound on one upload's text extraction; the service's default when absent. */
  extractionTimeoutMs?: number;
  /** The token it calls the gateway with; SERVICE_TOKEN when absent. */
  serviceToken?: string;
  /**
   * AI calls per user per minute. Suites share one user across many AI
   * calls, so the harness allows 600 unless a test asks for its own.
   */
  aiCallsPerMinute?: number;
  /** How often the idle outbox worker polls; 100 ms unless a test asks for its own. */
  outboxPollIntervalMs?: number;
  /** The outbox's backoff between attempts; 50 ms growing to 300 ms unless a test asks. */
  outboxRetry?: { baseMs: number; maxMs: number };
  /** The gateway client's breaker; 3 failures open it for 300 ms unless a test asks. */
  gatewayBreaker?: { failuresToOpen: number; halfOpenAfterMs: number };
  /** Largest upload; MAX_UPLOAD_BYTES unless a test asks for its own. */
  maxUploadBytes?: number;
  /** How slowly an upload's body may arrive; the service's default when absent. */
  bodyRateFloor?: BodyRateFloor;
}

/**
 * The backend as main.ts composes it, in this process on a free port, with
 * embedded stores in a fresh temporary data directory, a fast-retrying
 * outbox worker and a gateway client with short timeouts.
 */
export async function startBackend(options: BackendOptions): Promise<RunningBackend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-backend-test-'));
  let logLines = '';
  const logger = createServiceLogger({
    service: 'backend',
    level: 'debug',
    secretValues: [JWT_SECRET, SERVICE_TOKEN],
    destination: { write: (line: string) => void (logLines += line) },
  });
  const stores = await createStores({ dataDir, ...options.stores });
  const gateway = createGatewayClient({
    baseUrl: options.gatewayUrl,
    serviceToken: options.serviceToken ?? SERVICE_TOKEN,
    requestTimeoutMs: 3000,
    indexTimeoutMs: 3000,
    failuresToOpen: options.gatewayBreaker?.failuresToOpen ?? 3,
    halfOpenAfterMs: options.gatewayBreaker?.halfOpenAfterMs ?? 300,
  });
  // One listing cache for the worker and the routes, as main.ts wires them.
  const documentCache = new DocumentCache(stores.cache);
  const worker = startOutboxWorker(stores, gateway, documentCache, logger, {
    pollIntervalMs: options.outboxPollIntervalMs ?? 100,
    retryBaseMs: options.outboxRetry?.baseMs ?? 50,
    retryMaxMs: options.outboxRetry?.maxMs ?? 300,
    attemptsBeforeFailed: 1000,
  });
  const extractor = new ExtractionPool({
    workerFile: EXTRACTION_WORKER_FILE,
    timeoutMs: options.extractionTimeoutMs ?? 20_000,
  });
  const app = createBackendApp({
    config: {
      corsOrigins: [ALLOWED_ORIGIN],
      maxUploadBytes: options.maxUploadBytes ?? MAX_UPLOAD_BYTES,
      jwtSecret: JWT_SECRET,
      aiCallsPerMinute: options.aiCallsPerMinute ?? 600,
    },
    logger,
    stores,
    gateway,
    extractor,
    readinessChecks: storeReadinessChecks(stores),
    onOutboxWork: worker.wake,
    documentCache,
    ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
    ...(options.registrationLimit ? { registrationLimit: options.registrationLimit } : {}),
    ...(options.bodyRateFloor ? { bodyRateFloor: options.bodyRateFloor } : {}),
  });
  const server: Server = createServer(app);
  server.on('clientError', backendClientErrors(logger));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    stores,
    worker,
    logs: () => logLines,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await extractor.close();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
