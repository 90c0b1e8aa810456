import {
  backendFields,
  gatewayFields,
  loadGatewayConfig,
  qualifiedSecretId,
  secretsFor,
} from '@docuthinker/config';
import type { WebService } from './parity-model';

export interface ServiceExpectations {
  /** Every variable the service reads (its zod field map's keys). */
  readonly fieldNames: ReadonlySet<string>;
  /** PORT's default in the schema. */
  readonly defaultPort: number;
  /** Catalogue secrets the service receives: `docuthinker/<name>` -> variable. */
  readonly secrets: ReadonlyMap<string, string>;
}

export interface ConfigExpectations {
  readonly services: Readonly<Record<WebService, ServiceExpectations>>;
  /** Every catalogue variable, which must never travel as plain environment. */
  readonly secretVariables: ReadonlySet<string>;
  /** Where the gateway keeps vector data in production when nothing overrides it. */
  readonly productionChromaDir: string;
}

function expectationsFor(
  service: WebService,
  fields: Readonly<Record<string, { parse(value: unknown): unknown }>>,
): ServiceExpectations {
  const port = fields['PORT'];
  if (!port) throw new Error(`libs/config: ${service} has no PORT field`);
  return {
    fieldNames: new Set(Object.keys(fields)),
    defaultPort: Number(port.parse(undefined)),
    secrets: new Map(
      secretsFor(service).map((secret) => [qualifiedSecretId(secret.name), secret.variable]),
    ),
  };
}

/** Placeholders that satisfy the loader without touching the disk; never real values. */
const PRODUCTION_GATEWAY_ENVIRONMENT = {
  NODE_ENV: 'production',
  DOCUTHINKER_AI_PROVIDERS: 'local',
  DOCUTHINKER_JWT_SECRET: 'parity-check-placeholder-of-32-characters',
  DOCUTHINKER_SERVICE_TOKEN: 'parity-check-placeholder-of-32-characters',
  DOCUTHINKER_NEO4J_URI: 'neo4j://neo4j:7687',
  DOCUTHINKER_CHROMA_URL: 'http://chroma:8000',
  REDIS_URL: 'redis://redis:6379',
};

/** What libs/config says, read from the schemas and loaders themselves. */
export function readConfigExpectations(): ConfigExpectations {
  const services = {
    backend: expectationsFor('backend', backendFields),
    'aiml-gateway': expectationsFor('aiml-gateway', gatewayFields),
  };
  return {
    services,
    secretVariables: new Set(
      Object.values(services).flatMap((expectations) => [...expectations.secrets.values()]),
    ),
    productionChromaDir: loadGatewayConfig(PRODUCTION_GATEWAY_ENVIRONMENT).chromaDir,
  };
}
