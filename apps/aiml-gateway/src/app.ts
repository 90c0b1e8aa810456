import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createServer, type RequestListener, type Server } from 'node:http';
import {
  DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
  SERVER_KEEP_ALIVE_TIMEOUT_MS,
  type GatewayConfig,
} from '@docuthinker/config';
import {
  LEAVE_HOST_CHECK_TO_LISTENER,
  NOT_FOR_CACHES,
  REQUEST_ID_HEADER,
  continueOnlyWithin,
  refuseConnectRequests,
  refuseUnmetExpectations,
  refusingRequestsWithoutHost,
  requestIdFrom,
  trustedProxies,
  type Logger,
} from '@docuthinker/runtime';
import {
  MemoryRateLimiterFactory,
  userAiCallsRule,
  type RateLimiterFactory,
} from '@docuthinker/runtime/rate-limits';
import { withProxiedAnalyze } from './analyze/proxied-analyze-fast-path';
import { createBearerVerifier } from './auth/bearer-credentials';
import { TokenRevocationCheck } from './auth/token-revocation-check';
import type { EngineConnection } from './engine/engine-connection';
import type { GatewayMetrics } from './metrics/gateway-metrics';
import { OpenApiDocument } from './openapi/openapi-document';
import { registerAuthentication } from './plugins/authentication';
import { registerCrossOrigin } from './plugins/cross-origin';
import { problem } from './errors';
import { clientErrorsLoggedTo, frameworkErrors } from './plugins/framework-errors';
import { registerOwnerScope } from './plugins/owner-scope';
import { registerUndeclaredRequestParts } from './plugins/undeclared-request-parts';
import { registerUserAiCallLimit } from './plugins/user-ai-call-limit';
import { registerProblemResponses } from './plugins/problem-responses';
import { registerRequestMetrics } from './plugins/request-metrics';
import { registerSecurityHeaders } from './plugins/security-headers';
import { cacheVerifiedTokens } from './plugins/verified-token-cache';
import { registerZodValidation } from './plugins/zod-validation';
import { parseNonJsonBodies } from './http/non-json-bodies';
import { parseJsonBodies } from './http/raw-json-body';
import {
  GatewayLogController,
  recordRoutePattern,
  withRequestIdHeader,
  withRequestLogging,
} from './http/request-logging';
import { registerAnalyzeRoutes } from './routes/analyze/analyze-routes';
import { registerGraphRoutes } from './routes/graph/graph-routes';
import { registerApiDocsRoutes } from './routes/meta/api-docs-routes';
import { registerHealthRoutes } from './routes/meta/health-routes';
import { registerMetricsRoutes } from './routes/meta/metrics-routes';
import { registerChatRoutes } from './routes/retrieval/chat-routes';
import { registerIndexRoutes } from './routes/retrieval/index-routes';
import { registerSearchRoutes } from './routes/retrieval/search-routes';
import { registerTaskRoutes } from './routes/tasks/task-routes';

/**
 * How long a client may take to send a whole request (headers and body):
 * Node's own default, as the backend has it. Fastify turns it off, which lets
 * a client that trickles a body hold a connection and its buffered bytes for
 * ever; five minutes sends the largest allowed body (~13 MB) over 1 Mbit/s.
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

export interface GatewayDependencies {
  config: Pick<GatewayConfig, 'jwtSecret' | 'serviceToken' | 'aiCallsPerMinute'> &
    Partial<Pick<GatewayConfig, 'nodeEnv' | 'corsOrigins'>>;
  logger: Logger;
  /** The engine and analyzer, once their stores are reachable. */
  connection: EngineConnection;
  metrics: GatewayMetrics;
  /** Where users' AI calls are counted (Redis in production); this process when unset. */
  aiCallCounters?: RateLimiterFactory;
  /**
   * The revocations the backend publishes (in Redis in production); without
   * them (no REDIS_URL) a user token is checked on its signature alone.
   */
  tokenRevocations?: TokenRevocationCheck;
  bodyLimitBytes?: number;
  requestTimeoutMs?: number;
}

/** Builds the Fastify app from its dependencies; it does not listen. */
export function createGatewayApp({
  config,
  logger,
  connection,
  metrics,
  aiCallCounters = new MemoryRateLimiterFactory(),
  tokenRevocations = new TokenRevocationCheck({ logger }),
  // DOCUTHINKER_MAX_REQUEST_BYTES's default: tests build the app without a config.
  bodyLimitBytes = DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
  requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
}: GatewayDependencies): FastifyInstance {
  const verifier = cacheVerifiedTokens(createBearerVerifier(config), tokenRevocations);
  // The server is ours so that `/analyze`'s fast path sees requests first;
  // the timeouts Fastify would set on a server of its own are set here.
  let server: Server | undefined;
  let handleRequest: RequestListener | undefined;
  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast keeps FastifyInstance's default generics.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: (request) => requestIdFrom(request.headers),
    // One line per request instead, written by withRequestLogging.
    logController: new GatewayLogController(),
    bodyLimit: bodyLimitBytes,
    // Document ids may be 128 characters (the contract's limit), three times
    // that percent-encoded; Fastify's default of 100 made such a document
    // impossible to delete (414) once indexed.
    routerOptions: { maxParamLength: 1024 },
    trustProxy: trustedProxies(config.nodeEnv),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrors(metrics),
    clientErrorHandler: clientErrorsLoggedTo(logger),
    serverFactory: (fastifyHandler) => {
      handleRequest = fastifyHandler;
      server = createServer(
        {
          ...LEAVE_HOST_CHECK_TO_LISTENER,
          requestTimeout: requestTimeoutMs,
          // Node looks for expired requests this often (30 s by default).
          connectionsCheckingInterval: Math.min(30_000, Math.ceil(requestTimeoutMs / 4)),
        },
        refusingRequestsWithoutHost(
          (request, response) => handleRequest?.(request, response),
          problem,
          logger,
        ),
      );
      // As Fastify sets its own server: no idle timeout on a socket while a
      // response is being produced (connectionTimeout 0), and the keep-alive
      // longer than the load balancer's idle timeout, so that it closes first.
      server.keepAliveTimeout = SERVER_KEEP_ALIVE_TIMEOUT_MS;
      server.setTimeout(0);
      refuseUnmetExpectations(server, problem, logger);
      refuseConnectRequests(server, problem, logger);
      continueOnlyWithin(server, bodyLimitBytes, problem, logger);
      return server;
    },
  });
  const fastifyHandler = handleRequest;
  if (!fastifyHandler) throw new Error('Fastify did not create its server through serverFactory');
  handleRequest = withRequestLogging(
    withProxiedAnalyze(withRequestIdHeader(fastifyHandler), {
      connection,
      verifier,
      bodyLimitBytes,
      metrics,
      server: () => server,
    }),
    logger,
  );
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header('cache-control', NOT_FOR_CACHES);
    recordRoutePattern(request.raw, request.routeOptions.url);
  });
  // JSON only: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');
  parseJsonBodies(app);
  parseNonJsonBodies(app);
  registerProblemResponses(app);
  // Before CORS, whose hook answers preflights: they carry these headers too.
  registerSecurityHeaders(app);
  registerCrossOrigin(app, config.corsOrigins ?? []);
  registerZodValidation(app);
  registerRequestMetrics(app, metrics);
  metrics.watchCircuits(() => {
    const services = connection.current;
    if (!services) return [];
    const upstream = services.analyzer.upstreamCircuit;
    return [
      ...services.engine.providers
        .circuits()
        .map(({ provider, state }) => ({ circuit: provider, state })),
      ...(upstream ? [{ circuit: 'upstream-analyze', state: upstream }] : []),
    ];
  });

  const openApi = new OpenApiDocument({ title: 'DocuThinker AI/ML gateway', version: '1' });

  void app.register(async (open) => {
    openApi.watch(open, { authenticated: false, refusesUndeclaredParts: false });
    registerHealthRoutes(open, connection, aiCallCounters);
    registerMetricsRoutes(open, metrics);
    registerApiDocsRoutes(open, openApi);
  });

  void app.register(async (api) => {
    openApi.watch(api, { authenticated: true, refusesUndeclaredParts: true });
    registerAuthentication(api, verifier);
    registerUndeclaredRequestParts(api);
    registerOwnerScope(api);
    registerUserAiCallLimit(api, aiCallCounters.create(userAiCallsRule(config.aiCallsPerMinute)));
    registerTaskRoutes(api, connection);
    registerIndexRoutes(api, connection);
    registerSearchRoutes(api, connection);
    registerChatRoutes(api, connection);
    registerGraphRoutes(api, connection);
    registerAnalyzeRoutes(api, connection);
  });
  return app;
}
