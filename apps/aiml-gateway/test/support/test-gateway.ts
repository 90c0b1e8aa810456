import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import pino from 'pino';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';
import { createAiEngine, type AiEngine, type AiEngineConfig } from '@docuthinker/ai-engine';
import { createDocumentAnalyzer } from '../../src/analyze/create-document-analyzer';
import type { UpstreamAnalyzerOptions } from '../../src/analyze/upstream-analyzer';
import { createGatewayApp } from '../../src/app';
import { EngineConnection } from '../../src/engine/engine-connection';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics';

export const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef-0123456789';

export const asService = { authorization: `Bearer ${SERVICE_TOKEN}` };

export interface TestGateway {
  readonly app: FastifyInstance;
  readonly engine: AiEngine;
  readonly metrics: GatewayMetrics;
  readonly dataDir: string;
  /** `app.inject` as the service, with a JSON body. */
  service(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly engine?: Partial<AiEngineConfig>;
  readonly upstream?: Partial<Omit<UpstreamAnalyzerOptions, 'url'>>;
  readonly bodyLimitBytes?: number;
}

/** The gateway over the offline engine and embedded stores in a fresh temp directory. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-gateway-'));
  const metrics = new GatewayMetrics();
  const config: AiEngineConfig = {
    dataDir,
    syncGraph: true,
    syncVector: true,
    providers: ['local'],
    providerKeys: {},
    onAttempt: metrics.recordProviderAttempt,
    ...options.engine,
  };
  const engine = await createAiEngine(config);
  const analyzer = createDocumentAnalyzer(config, engine, options.upstream);
  const logger = pino({ level: 'silent' });
  const app = createGatewayApp({
    config: { jwtSecret: JWT_SECRET, serviceToken: SERVICE_TOKEN },
    logger,
    connection: EngineConnection.of({ engine, analyzer }, logger),
    metrics,
    bodyLimitBytes: options.bodyLimitBytes,
  });
  await app.ready();
  return {
    app,
    engine,
    metrics,
    dataDir,
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
  overrides: { issuer?: string; audience?: string; secret?: string; expiresIn?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer(overrides.issuer ?? ACCESS_TOKEN_ISSUER)
    .setAudience(overrides.audience ?? ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '15m')
    .sign(new TextEncoder().encode(overrides.secret ?? JWT_SECRET));
}

export async function asUser(subject: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await userToken(subject)}` };
}
