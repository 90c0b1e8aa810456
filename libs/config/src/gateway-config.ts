import { join } from 'node:path';
import * as z from 'zod';
import { commonFields, type ServiceConfigBase } from './common-fields';
import {
  booleanFlag,
  commaList,
  integerInRange,
  optionalSecret,
  optionalText,
  optionalUrl,
} from './env-fields';
import { ConfigResolution, type Environment } from './parse-environment';
import { resolvePlatformSecrets } from './platform-secrets';

export const AI_PROVIDERS = ['upstream', 'openai', 'anthropic', 'google', 'local'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

export const gatewayFields = {
  ...commonFields,
  PORT: integerInRange(8000, 1, 65535, { description: 'HTTP port of the AI/ML gateway' }),
  DOCUTHINKER_SYNC_GRAPH: booleanFlag(true, {
    description: 'Maintain the knowledge graph when documents are indexed',
  }),
  DOCUTHINKER_SYNC_VECTOR: booleanFlag(true, {
    description: 'Maintain the vector index when documents are indexed',
  }),
  OPENAI_API_KEY: optionalSecret({ description: 'OpenAI key (secret docuthinker/openai)' }),
  ANTHROPIC_API_KEY: optionalSecret({
    description: 'Anthropic key (secret docuthinker/anthropic)',
  }),
  GOOGLE_API_KEY: optionalSecret({ description: 'Google AI key (secret docuthinker/google)' }),
  DOCUTHINKER_AI_PROVIDERS: commaList(
    z.enum(AI_PROVIDERS, { error: 'names an unknown provider' }),
    {
      description:
        'Provider chain in failover order; by default every provider with a key or URL, then the offline engine',
      expected: `a comma-separated list of ${AI_PROVIDERS.join(', ')}`,
    },
  ),
  DOCUTHINKER_AIML_UPSTREAM_URL: optionalUrl(['http:', 'https:'], {
    description:
      'FastAPI AI/ML container to proxy /analyze to and use as a provider; off when unset',
  }),
  DOCUTHINKER_NEO4J_URI: optionalUrl(
    ['neo4j:', 'neo4j+s:', 'neo4j+ssc:', 'bolt:', 'bolt+s:', 'bolt+ssc:'],
    {
      description:
        'Knowledge graph (secret docuthinker/neo4j; credentials in the URI); embedded libSQL when unset',
      secret: true,
    },
  ),
  DOCUTHINKER_CHROMA_URL: optionalUrl(['http:', 'https:'], {
    description:
      'Chroma server for the vector index (secret docuthinker/chroma); embedded libSQL when unset',
    secret: true,
  }),
  DOCUTHINKER_CHROMA_DIR: optionalText(
    {
      description:
        'Where embedded vector data lives on disk; /mnt/efs/chroma in production, <data dir>/chroma otherwise',
    },
    'a directory path',
  ),
};

export interface GatewayConfig extends ServiceConfigBase {
  readonly service: 'aiml-gateway';
  readonly syncGraph: boolean;
  readonly syncVector: boolean;
  readonly neo4jUri?: string;
  readonly chromaUrl?: string;
  readonly chromaDir: string;
  readonly upstreamUrl?: string;
  readonly providers: readonly AiProvider[];
  readonly providerKeys: Readonly<{ openai?: string; anthropic?: string; google?: string }>;
}

const PROVIDER_KEY_VARIABLES = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_API_KEY',
} as const;

/** Validates the gateway's environment; throws one ConfigError listing every problem. */
export function loadGatewayConfig(env: Environment = process.env): GatewayConfig {
  const resolution = new ConfigResolution('aiml-gateway', gatewayFields, env);
  const { values } = resolution;
  const dataDir = values.DOCUTHINKER_DATA_DIR ?? '.data';
  const chromaDir =
    values.DOCUTHINKER_CHROMA_DIR ??
    (resolution.nodeEnv === 'production' ? '/mnt/efs/chroma' : join(dataDir, 'chroma'));

  const neo4jUri =
    values.DOCUTHINKER_SYNC_GRAPH !== false
      ? resolution.storeOrEmbedded('DOCUTHINKER_NEO4J_URI', `the embedded graph under ${dataDir}`)
      : values.DOCUTHINKER_NEO4J_URI;
  const chromaUrl =
    values.DOCUTHINKER_SYNC_VECTOR !== false
      ? resolution.storeOrEmbedded(
          'DOCUTHINKER_CHROMA_URL',
          `the embedded vector index under ${chromaDir}`,
        )
      : values.DOCUTHINKER_CHROMA_URL;

  const providers = resolveProviders(resolution);
  const secrets = resolvePlatformSecrets(resolution);
  const parsed = resolution.complete();
  if (!secrets || !providers) throw new Error('unreachable: resolution completed without values');

  return Object.freeze({
    service: 'aiml-gateway',
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    logLevel: parsed.DOCUTHINKER_LOG_LEVEL,
    drainTimeoutMs: parsed.DOCUTHINKER_DRAIN_TIMEOUT_MS,
    dataDir,
    allowEmbedded: parsed.DOCUTHINKER_ALLOW_EMBEDDED,
    syncGraph: parsed.DOCUTHINKER_SYNC_GRAPH,
    syncVector: parsed.DOCUTHINKER_SYNC_VECTOR,
    neo4jUri,
    chromaUrl,
    chromaDir,
    upstreamUrl: parsed.DOCUTHINKER_AIML_UPSTREAM_URL,
    providers: Object.freeze(providers),
    providerKeys: Object.freeze({
      openai: parsed.OPENAI_API_KEY,
      anthropic: parsed.ANTHROPIC_API_KEY,
      google: parsed.GOOGLE_API_KEY,
    }),
    jwtSecret: secrets.jwtSecret,
    serviceToken: secrets.serviceToken,
    notices: Object.freeze([...resolution.notices]),
  } satisfies GatewayConfig);
}

/**
 * The provider chain. An explicit list must name only providers that are
 * configured; the default is every configured provider, then the offline
 * engine. Production needs a real provider unless `local` is chosen explicitly.
 */
function resolveProviders(
  resolution: ConfigResolution<typeof gatewayFields>,
): AiProvider[] | undefined {
  const { values } = resolution;
  const configured = new Set<AiProvider>(['local']);
  if (values.DOCUTHINKER_AIML_UPSTREAM_URL) configured.add('upstream');
  for (const [provider, variable] of Object.entries(PROVIDER_KEY_VARIABLES)) {
    if (values[variable]) configured.add(provider as AiProvider);
  }

  const explicit = values.DOCUTHINKER_AI_PROVIDERS;
  if (explicit && explicit.length > 0) {
    for (const provider of explicit) {
      if (configured.has(provider)) continue;
      const variable =
        provider === 'upstream'
          ? 'DOCUTHINKER_AIML_UPSTREAM_URL'
          : PROVIDER_KEY_VARIABLES[provider as keyof typeof PROVIDER_KEY_VARIABLES];
      resolution.addProblem({
        variable,
        problem: `is not set but DOCUTHINKER_AI_PROVIDERS names ${provider}`,
        expected: resolution.expectedFor(variable),
      });
    }
    return [...new Set(explicit)];
  }

  if (resolution.nodeEnv === 'production' && configured.size === 1) {
    resolution.addProblem({
      variable: 'OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY',
      problem: 'none is set (production needs an LLM provider)',
      expected:
        'at least one provider key or DOCUTHINKER_AIML_UPSTREAM_URL, or DOCUTHINKER_AI_PROVIDERS=local to run on the offline engine only',
    });
  }
  return AI_PROVIDERS.filter((provider) => configured.has(provider));
}
