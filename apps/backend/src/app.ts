import express from 'express';
import type { RequestListener } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendConfig } from '@docuthinker/config';
import type { DocumentExtractor } from '@docuthinker/documents';
import { trustedProxies, type DependencyCheck, type Logger } from '@docuthinker/runtime';
import { userAiCallsRule } from '@docuthinker/runtime/rate-limits';
import type { Stores } from '@docuthinker/stores';
import { createAccessTokens } from './auth/access-tokens';
import { LiveAccounts } from './auth/live-accounts';
import { argon2idPasswords, type PasswordHashing } from './auth/password-hashing';
import {
  PublishedTokenRevocations,
  UNPUBLISHED_TOKEN_REVOCATIONS,
  type TokenRevocations,
  type TokensValidFromRecord,
} from './auth/token-revocations';
import { API_OPERATIONS } from './api/api-operations';
import { servedMethods } from './api/served-methods';
import type { GatewayClient } from './gateway/gateway-client';
import { registerOutboxMetrics } from './metrics/outbox-metrics';
import { authenticate } from './middleware/authenticate';
import { HttpMetrics } from './middleware/http-metrics';
import { jsonBodies } from './middleware/json-bodies';
import { largeBodyAdmission } from './middleware/large-body-admission';
import type { BodyRateFloor } from './middleware/slow-body-cutoff';
import { optionsRefused, problemResponses, routeNotFound } from './middleware/problem-responses';
import { requestLogging } from './middleware/request-logging';
import { labelRefusalsByArea } from './middleware/route-pattern';
import { routesByPrefix } from './middleware/routes-by-prefix';
import { securityHeaders, securityHeadersWithoutOrigin } from './middleware/security-headers';
import { undeclaredRequestParts } from './middleware/undeclared-request-parts';
import { aiRoutes } from './routes/ai/ai-routes';
import { authRoutes } from './routes/auth/auth-routes';
import { chatRoutes } from './routes/chat/chat-routes';
import { withCachedListing } from './routes/documents/cached-listing-fast-path';
import { documentRoutes } from './routes/documents/document-routes';
import { EncodedJsonBodies, type EtagFunction } from './routes/documents/encoded-json-bodies';
import { meRoutes } from './routes/me/me-routes';
import { apiDocsRoutes } from './routes/meta/api-docs-routes';
import { healthRoutes } from './routes/meta/health-routes';
import { metricsRoutes } from './routes/meta/metrics-routes';
import {
  AccountService,
  type LoginLimits,
  type RegistrationLimit,
} from './services/account-service';
import { AiService } from './services/ai-service';
import { AiCallAllowance } from './services/ai-call-allowance';
import { ChatService } from './services/chat-service';
import { DocumentCache } from './services/document-cache';
import { DocumentService } from './services/document-service';

export interface BackendDependencies {
  config: Pick<BackendConfig, 'corsOrigins' | 'maxUploadBytes' | 'jwtSecret' | 'aiCallsPerMinute'> &
    Partial<Pick<BackendConfig, 'nodeEnv'>>;
  logger: Logger;
  stores: Stores;
  gateway: GatewayClient;
  /** Text extraction of uploads, in worker threads with a time bound. */
  extractor: Pick<DocumentExtractor, 'extract'>;
  readinessChecks: readonly DependencyCheck[];
  /** Told when the outbox has new jobs (the worker's `wake`). */
  onOutboxWork: () => void;
  /**
   * The listing cache the outbox worker invalidates too: one per process, so
   * an invalidation the cache dropped keeps every reader off the stale pages.
   */
  documentCache?: DocumentCache;
  /**
   * Where revoked tokens are published for the gateway: Redis with
   * REDIS_URL, else a file in the data directory (one machine); unset,
   * nothing is, and the gateway checks only signatures.
   */
  tokensValidFrom?: TokensValidFromRecord;
  /** Overrides for tests: cheaper hashing, tighter login limits. */
  passwords?: PasswordHashing;
  loginLimits?: LoginLimits;
  /** Sign-ups per client address; DOCUTHINKER_REGISTRATIONS_PER_HOUR in main.ts. */
  registrationLimit?: RegistrationLimit;
  /** How slowly an upload's body may arrive; DEFAULT_BODY_RATE_FLOOR unless a test asks. */
  bodyRateFloor?: BodyRateFloor;
}

/** Paths that need a user's access token; register, login and the meta routes do not. */
const AUTHENTICATED_PATHS = ['/api/me', '/api/documents', '/api/ai', '/api/chat', '/api/ask'];

/**
 * Builds the app from its dependencies: Express, behind the cached listing's
 * fast path. It opens no sockets itself; give it to `http.createServer`.
 */
export function createBackendApp(dependencies: BackendDependencies): RequestListener {
  const { config, logger, stores, gateway } = dependencies;
  const documentCache = dependencies.documentCache ?? new DocumentCache(stores.cache);
  const tokens = createAccessTokens(config.jwtSecret);
  const liveAccounts = new LiveAccounts(stores.users);
  const revocations: TokenRevocations = dependencies.tokensValidFrom
    ? new PublishedTokenRevocations(dependencies.tokensValidFrom, stores.users, logger)
    : UNPUBLISHED_TOKEN_REVOCATIONS;
  const accounts = new AccountService(
    stores,
    dependencies.passwords ?? argon2idPasswords,
    tokens,
    stores.cache,
    liveAccounts,
    revocations,
    stores.rateLimiters,
    dependencies.loginLimits,
    dependencies.registrationLimit,
  );
  const documents = new DocumentService(stores, documentCache, gateway, {
    maxUploadBytes: config.maxUploadBytes,
    extractor: dependencies.extractor,
    onOutboxWork: dependencies.onOutboxWork,
    logger,
  });
  const ai = new AiService(stores.documents, stores.cache, gateway);
  const chat = new ChatService(stores, gateway, { logger });
  const aiCalls = new AiCallAllowance(
    stores.rateLimiters.create(userAiCallsRule(config.aiCallsPerMinute)),
  );

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  registerOutboxMetrics(metrics, stores.outbox);

  const httpMetrics = new HttpMetrics(metrics);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustedProxies(config.nodeEnv));
  const listBodies = new EncodedJsonBodies(app.get('etag fn') as EtagFunction | undefined);
  app.use(requestLogging(logger));
  app.use(httpMetrics.middleware());
  app.use(securityHeaders(config.corsOrigins));
  const allowedMethods = servedMethods();
  app.use(optionsRefused(allowedMethods));
  // Tokens are checked before bodies are read: a body as large as an upload
  // (25 MB of JSON) is parsed only for a caller who may send one.
  app.use(
    routesByPrefix([
      {
        prefixes: AUTHENTICATED_PATHS,
        routes: authenticate(tokens, liveAccounts),
      },
    ]),
  );
  // Before any body is read: a refused request's body never is.
  app.use(undeclaredRequestParts(API_OPERATIONS));
  app.use(largeBodyAdmission(config.maxUploadBytes, dependencies.bodyRateFloor));
  app.use(jsonBodies(config.maxUploadBytes));
  app.use(
    routesByPrefix([
      { prefixes: ['/health', '/ready'], routes: healthRoutes(dependencies.readinessChecks) },
      { prefixes: ['/metrics'], routes: metricsRoutes(metrics) },
      { prefixes: ['/openapi.json', '/api-docs'], routes: apiDocsRoutes() },
      { prefixes: ['/api/auth'], routes: authRoutes(accounts) },
      { prefixes: ['/api/me'], routes: meRoutes(accounts, dependencies.onOutboxWork) },
      {
        prefixes: ['/api/documents'],
        routes: documentRoutes(documents, config.maxUploadBytes, listBodies, aiCalls),
      },
      { prefixes: ['/api/documents', '/api/ai'], routes: aiRoutes(ai, aiCalls) },
      { prefixes: ['/api/documents', '/api/chat', '/api/ask'], routes: chatRoutes(chat, aiCalls) },
    ]),
  );
  app.use(routeNotFound(allowedMethods));
  app.use(labelRefusalsByArea(['/api/auth', ...AUTHENTICATED_PATHS]));
  app.use(problemResponses);
  return withCachedListing(app, {
    tokens,
    accounts: liveAccounts,
    documents,
    bodies: listBodies,
    fixedHeaders: securityHeadersWithoutOrigin(config.corsOrigins),
    metrics: httpMetrics,
    logger,
  });
}
