import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import pino from 'pino';
import { loggableRequest } from '@docuthinker/runtime';
import type { RateLimiterFactory } from '@docuthinker/runtime/rate-limits';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_ISSUER,
} from '@docuthinker/contracts';
import { createAiEngine, type AiEngine, type AiEngineConfig } from '@docuthinker/ai-engine';
import { createDocumentAnalyzer } from '../../src/analyze/create-document-analyzer';
import type { UpstreamAnalyzerOptions } from '../../src/analyze/upstream-analyzer';
import { createGatewayApp } from '../../src/app';
import {
  TokenRevocationCheck,
  type TokenRevocationCheckOptions,
} from '../../src/auth/token-revocation-check';
import { EngineConnection } from '../../src/engine/engine-connection';
import { providerEvents } from '../../src/engine/provider-events';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics';

export const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef-0123456789';

export const asService = { authorization: `Bearer ${SERVICE_TOKEN}` };

/**
 * How a test reaches the app: `inject` runs Fastify's routing directly;
 * `http` goes over a socket to the app's own server, where `/analyze`'s
 * fast path sees requests first.
 */
export type Transport = 'inject' | 'http';

export interface GatewayAnswer {
  readonly statusCode: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- as inject's
}

export interface GatewayRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  readonly payload?: unknown;
}

export interface TestGateway {
  readonly app: FastifyInstance;
  readonly connection: EngineConnection;
  /** The request over `transport`, as the service unless `headers` say otherwise. */
  request(transport: Transport, request: GatewayRequest): Promise<GatewayAnswer>;
  readonly engine: AiEngine;
  readonly metrics: GatewayMetrics;
  readonly dataDir: string;
  /** Log lines written so far, parsed (only with `captureLogs`). */
  logs(): Array<{ level: number; msg: string }>;
  /** `app.inject` as the service, with a JSON body. */
  service(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly engine?: Partial<AiEngineConfig>;
  readonly upstream?: Partial<Omit<UpstreamAnalyzerOptions, 'url'>>;
  readonly bodyLimitBytes?: number;
  readonly requestTimeoutMs?: number;
  /** Keep the info-level log lines for `logs()`; silent otherwise. */
  readonly captureLogs?: boolean;
  /** Browser origins allowed by CORS (DOCUTHINKER_CORS_ORIGINS); none unless a test gives some. */
  readonly corsOrigins?: readonly string[];
  /** AI calls per user token per minute; 600 unless a test asks for its own. */
  readonly aiCallsPerMinute?: number;
  /** Where users' AI calls are counted; this process unless a test gives its own. */
  readonly aiCallCounters?: RateLimiterFactory;
  /** Where revocations are read (and the check's clock); none unless a test gives its own. */
  readonly tokenRevocations?: Omit<TokenRevocationCheckOptions, 'logger'>;
}

/** The gateway over the offline engine and embedded stores in a fresh temp directory. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-gateway-'));
  const metrics = new GatewayMetrics();
  const logLines: string[] = [];
  const logger = options.captureLogs
    ? pino(
        // The service logger's request serializer (createServiceLogger), levels as numbers.
        { level: 'info', serializers: { req: loggableRequest } },
        { write: (line: string) => void logLines.push(line) },
      )
    : pino({ level: 'silent' });
  const config: AiEngineConfig = {
    dataDir,
    syncGraph: true,
    syncVector: true,
    providers: ['local'],
    providerKeys: {},
    // As main.ts wires them.
    ...providerEvents(logger, metrics),
    ...options.engine,
  };
  const engine = await createAiEngine(config);
  const analyzer = createDocumentAnalyzer(config, engine, options.upstream);
  const connection = EngineConnection.of({ engine, analyzer }, logger);
  const app = createGatewayApp({
    config: {
      jwtSecret: JWT_SECRET,
      serviceToken: SERVICE_TOKEN,
      aiCallsPerMinute: options.aiCallsPerMinute ?? 600,
      corsOrigins: options.corsOrigins,
    },
    logger,
    connection,
    metrics,
    aiCallCounters: options.aiCallCounters,
    ...(options.tokenRevocations
      ? { tokenRevocations: new TokenRevocationCheck({ ...options.tokenRevocations, logger }) }
      : {}),
    bodyLimitBytes: options.bodyLimitBytes,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  await app.ready();
  let origin: Promise<string> | undefined;
  return {
    app,
    connection,
    async request(transport, { method, url, headers = {}, payload }) {
      const allHeaders: Record<string, string> = { ...asService, ...headers };
      if (transport === 'inject') {
        const answer = await app.inject({
          method,
          url,
          headers: allHeaders,
          ...(payload === undefined ? {} : { payload: payload as string }),
        });
        return {
          statusCode: answer.statusCode,
          headers: Object.fromEntries(
            Object.entries(answer.headers).map(([name, value]) => [name, String(value)]),
          ),
          body: answer.body,
          json: () => answer.json(),
        };
      }
      origin ??= app.listen({ port: 0, host: '127.0.0.1' });
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const response = await fetch(`${await origin}${url}`, {
        method,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...allHeaders,
        },
        ...(payload === undefined ? {} : { body }),
      });
      const text = await response.text();
      return {
        statusCode: response.status,
        headers: Object.fromEntries(response.headers),
        body: text,
        json: () => JSON.parse(text),
      };
    },
    engine,
    metrics,
    dataDir,
    logs: () => logLines.map((line) => JSON.parse(line) as { level: number; msg: string }),
    service: (inject) => app.inject({ ...inject, headers: { ...asService, ...inject.headers } }),
    async close() {
      await app.close();
      analyzer.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A user access token as the backend issues it. */
export function userToken(
  subject: string,
  overrides: {
    issuer?: string;
    audience?: string;
    secret?: string;
    expiresIn?: string;
    /** `iat` in seconds; now when absent. */
    issuedAt?: number;
  } = {},
): Promise<string> {
  return (
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setIssuer(overrides.issuer ?? ACCESS_TOKEN_ISSUER)
      .setAudience(overrides.audience ?? ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(overrides.issuedAt)
      // As the backend dates them: a lifetime counted from `iat`.
      .setExpirationTime(
        overrides.expiresIn ??
          (overrides.issuedAt === undefined
            ? '15m'
            : overrides.issuedAt + ACCESS_TOKEN_TTL_SECONDS),
      )
      .sign(new TextEncoder().encode(overrides.secret ?? JWT_SECRET))
  );
}

export async function asUser(subject: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await userToken(subject)}` };
}
