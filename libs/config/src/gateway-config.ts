import { join } from 'node:path';
import { AI_TASK_NAMES, MAX_TEXT_CHARS } from '@docuthinker/contracts';
import * as z from 'zod';
import { commonFields, type ServiceConfigBase } from './common-fields';
import {
  booleanFlag,
  commaList,
  integerInRange,
  optionalKeyPool,
  optionalName,
  optionalText,
} from './env-fields';
import { ConfigResolution, type Environment } from './parse-environment';
import { resolvePlatformSecrets } from './platform-secrets';
import {
  optionalChromaUrl,
  optionalHttpUrl,
  optionalNeo4jUrl,
  optionalRedisUrl,
} from './url-fields';

export const AI_PROVIDERS = ['upstream', 'openai', 'anthropic', 'google', 'local'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

/** What a per-task provider order can name: every AI task, and `answer` (ask and chat). */
export const AI_CHAIN_TASKS = [...AI_TASK_NAMES, 'answer'] as const;
export type AiChainTask = (typeof AI_CHAIN_TASKS)[number];

type HostedProvider = 'openai' | 'anthropic' | 'google';

/**
 * Room for the largest text the contracts allow plus the rest of a request;
 * beyond it, 413 before parsing. JSON takes up to 6 bytes for one UTF-16 unit
 * of text: a control character is written as a `\u0001` escape (a surrogate
 * pair is 4 bytes of UTF-8 for two units), so a text the contracts accept
 * always fits.
 */
export const DEFAULT_GATEWAY_BODY_LIMIT_BYTES = MAX_TEXT_CHARS * 6 + 1024 * 1024;

export const gatewayFields = {
  ...commonFields,
  PORT: integerInRange(8000, 1, 65535, { description: 'HTTP port of the AI/ML gateway' }),
  DOCUTHINKER_MAX_REQUEST_BYTES: integerInRange(
    DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
    64 * 1024,
    64 * 1024 * 1024,
    {
      description:
        'Largest request body the gateway reads; a larger one is 413 DT_ERR_BODY_TOO_LARGE before parsing (the default fits the longest text the API takes)',
    },
  ),
  DOCUTHINKER_SYNC_GRAPH: booleanFlag(true, {
    description: 'Maintain the knowledge graph when documents are indexed',
  }),
  DOCUTHINKER_SYNC_VECTOR: booleanFlag(true, {
    description: 'Maintain the vector index when documents are indexed',
  }),
  OPENAI_API_KEY: optionalKeyPool({
    description: 'OpenAI key, or a comma-separated pool (secret docuthinker/openai)',
  }),
  ANTHROPIC_API_KEY: optionalKeyPool({
    description: 'Anthropic key, or a comma-separated pool (secret docuthinker/anthropic)',
  }),
  GOOGLE_API_KEY: optionalKeyPool({
    description: 'Google AI key, or a comma-separated pool (secret docuthinker/google)',
  }),
  DOCUTHINKER_AI_PROVIDERS: commaList(
    z.enum(AI_PROVIDERS, { error: 'names an unknown provider' }),
    {
      description:
        'Provider chain in failover order; by default every provider with a key or URL, then the offline engine',
      expected: `a comma-separated list of ${AI_PROVIDERS.join(', ')}`,
    },
  ),
  DOCUTHINKER_AI_TASK_PROVIDERS: optionalText(
    {
      description:
        'Per-task provider order overriding DOCUTHINKER_AI_PROVIDERS, e.g. sentiment=local;summary=anthropic,local (tasks as in the API, plus answer for ask and chat); every named provider must be in the chain',
    },
    'entries task=provider,provider separated by ;',
  ),
  // The default is also the most: past it, the backend (which waits 50 s)
  // would give up on answers the gateway still works on, and a deploy's 60 s
  // deregistration delay would cut them.
  DOCUTHINKER_AI_DEADLINE_MS: integerInRange(45000, 1000, 45000, {
    description:
      "Time budget of one AI call across the remote providers; then the offline engine answers, degraded. At most 45 s, below the backend's 50 s wait for the gateway and the load balancer's 60 s deregistration delay",
  }),
  DOCUTHINKER_OPENAI_MODEL: optionalName(
    { description: 'OpenAI chat model; gpt-4o-mini when unset' },
    'a model name',
  ),
  DOCUTHINKER_OPENAI_BASE_URL: optionalHttpUrl({
    description:
      'OpenAI API base URL including its version path (a proxy or an OpenAI-compatible service); https://api.openai.com/v1 when unset',
  }),
  DOCUTHINKER_ANTHROPIC_MODEL: optionalName(
    { description: 'Anthropic chat model; claude-3-5-haiku-latest when unset' },
    'a model name',
  ),
  DOCUTHINKER_ANTHROPIC_BASE_URL: optionalHttpUrl({
    description: 'Anthropic API origin (e.g. a proxy); https://api.anthropic.com when unset',
  }),
  DOCUTHINKER_GOOGLE_MODEL: optionalName(
    { description: 'Google Gemini model; gemini-2.0-flash when unset' },
    'a model name',
  ),
  DOCUTHINKER_GOOGLE_BASE_URL: optionalHttpUrl({
    description:
      'Gemini API origin (e.g. a proxy); https://generativelanguage.googleapis.com when unset',
  }),
  DOCUTHINKER_AIML_UPSTREAM_URL: optionalHttpUrl({
    description:
      'FastAPI AI/ML container to proxy /analyze to and use as a provider; off when unset',
  }),
  DOCUTHINKER_NEO4J_URI: optionalNeo4jUrl({
    description:
      "Knowledge graph (secret docuthinker/neo4j; credentials in the URI); embedded libSQL when unset. Neo4j 5 (Aura or self-managed): the gateway creates uniqueness constraints at start, which Amazon Neptune's openCypher does not offer, so Neptune is not a target",
    secret: true,
  }),
  DOCUTHINKER_CHROMA_URL: optionalChromaUrl({
    description:
      'Chroma server for the vector index, scheme://host[:port] with no path; a user:password@ in it is sent as Basic auth (secret docuthinker/chroma); embedded libSQL when unset',
    secret: true,
  }),
  REDIS_URL: optionalRedisUrl({
    description:
      "Users' AI call counters shared by all replicas, the lock that orders one document's index writes across replicas, and the token revocations the backend publishes (secret docuthinker/redis, the backend's Redis); when unset, counters and write order are per process, and revocations are read from the data directory the backend beside it shares",
    secret: true,
  }),
  DOCUTHINKER_CHROMA_DIR: optionalName(
    {
      description:
        'Where embedded vector data lives on disk; /mnt/efs/chroma in production, <data dir>/chroma otherwise; checked at start-up like DOCUTHINKER_DATA_DIR',
    },
    'a directory path',
  ),
};

export interface GatewayConfig extends ServiceConfigBase {
  readonly service: 'aiml-gateway';
  readonly maxRequestBytes: number;
  readonly syncGraph: boolean;
  readonly syncVector: boolean;
  readonly neo4jUri?: string;
  readonly chromaUrl?: string;
  readonly chromaDir: string;
  readonly upstreamUrl?: string;
  /** Where users' AI call counters and the document write lock live; in this process when unset. */
  readonly redisUrl?: string;
  readonly providers: readonly AiProvider[];
  /** Tasks that use another provider order than `providers`. */
  readonly taskProviders: Readonly<Partial<Record<AiChainTask, readonly AiProvider[]>>>;
  /** Budget of one AI call across the remote providers (ms). */
  readonly providerDeadlineMs: number;
  readonly providerKeys: Readonly<{ openai?: string; anthropic?: string; google?: string }>;
  readonly providerModels: Readonly<Partial<Record<HostedProvider, string>>>;
  readonly providerBaseUrls: Readonly<Partial<Record<HostedProvider, string>>>;
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

  const redisUrl = resolution.storeOrEmbedded(
    'REDIS_URL',
    "in-process AI call counters and document write order (each replica counts a user's calls, and orders index writes, on its own)",
  );

  // The embedded graph and, without Redis, the record of revoked tokens live
  // in the data directory; the embedded vector index in its own.
  if (
    (values.DOCUTHINKER_SYNC_GRAPH !== false && resolution.usesEmbedded('DOCUTHINKER_NEO4J_URI')) ||
    resolution.usesEmbedded('REDIS_URL')
  ) {
    resolution.requireWritableDirectory('DOCUTHINKER_DATA_DIR', dataDir);
  }
  if (
    values.DOCUTHINKER_SYNC_VECTOR !== false &&
    resolution.usesEmbedded('DOCUTHINKER_CHROMA_URL')
  ) {
    // Outside production its default is below the data directory, the variable to mend.
    const chromaDirFrom =
      values.DOCUTHINKER_CHROMA_DIR === undefined && resolution.nodeEnv !== 'production'
        ? 'DOCUTHINKER_DATA_DIR'
        : 'DOCUTHINKER_CHROMA_DIR';
    resolution.requireWritableDirectory(chromaDirFrom, chromaDir);
  }
  const providers = resolveProviders(resolution);
  const taskProviders = resolveTaskProviders(resolution, providers ?? []);
  const secrets = resolvePlatformSecrets(resolution);
  const parsed = resolution.complete();
  if (!secrets || !providers) throw new Error('unreachable: resolution completed without values');

  return Object.freeze({
    service: 'aiml-gateway',
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    logLevel: parsed.DOCUTHINKER_LOG_LEVEL,
    drainTimeoutMs: parsed.DOCUTHINKER_DRAIN_TIMEOUT_MS,
    aiCallsPerMinute: parsed.DOCUTHINKER_AI_CALLS_PER_MINUTE,
    dataDir,
    corsOrigins: Object.freeze([...(parsed.DOCUTHINKER_CORS_ORIGINS ?? [])]),
    allowEmbedded: parsed.DOCUTHINKER_ALLOW_EMBEDDED,
    maxRequestBytes: parsed.DOCUTHINKER_MAX_REQUEST_BYTES,
    syncGraph: parsed.DOCUTHINKER_SYNC_GRAPH,
    syncVector: parsed.DOCUTHINKER_SYNC_VECTOR,
    neo4jUri,
    chromaUrl,
    chromaDir,
    upstreamUrl: parsed.DOCUTHINKER_AIML_UPSTREAM_URL,
    redisUrl,
    providers: Object.freeze(providers),
    taskProviders: Object.freeze(taskProviders),
    providerDeadlineMs: parsed.DOCUTHINKER_AI_DEADLINE_MS,
    providerKeys: Object.freeze({
      openai: parsed.OPENAI_API_KEY,
      anthropic: parsed.ANTHROPIC_API_KEY,
      google: parsed.GOOGLE_API_KEY,
    }),
    providerModels: Object.freeze({
      openai: parsed.DOCUTHINKER_OPENAI_MODEL,
      anthropic: parsed.DOCUTHINKER_ANTHROPIC_MODEL,
      google: parsed.DOCUTHINKER_GOOGLE_MODEL,
    }),
    providerBaseUrls: Object.freeze({
      openai: parsed.DOCUTHINKER_OPENAI_BASE_URL,
      anthropic: parsed.DOCUTHINKER_ANTHROPIC_BASE_URL,
      google: parsed.DOCUTHINKER_GOOGLE_BASE_URL,
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
  // A key or URL set to a value refused above counts as set: saying it is
  // not set as well would send the operator after the wrong mistake.
  const isSet = (variable: keyof typeof gatewayFields) =>
    Boolean(values[variable]) || resolution.hasProblem(variable);
  const configured = new Set<AiProvider>(['local']);
  if (isSet('DOCUTHINKER_AIML_UPSTREAM_URL')) configured.add('upstream');
  for (const [provider, variable] of Object.entries(PROVIDER_KEY_VARIABLES)) {
    if (isSet(variable)) configured.add(provider as AiProvider);
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

/**
 * `DOCUTHINKER_AI_TASK_PROVIDERS`: `task=provider,provider;task=…`. Each task
 * at most once, each provider one of the chain's, so that an override cannot
 * quietly name a provider that has no key.
 */
function resolveTaskProviders(
  resolution: ConfigResolution<typeof gatewayFields>,
  chain: readonly AiProvider[],
): Partial<Record<AiChainTask, readonly AiProvider[]>> {
  const variable = 'DOCUTHINKER_AI_TASK_PROVIDERS';
  const raw = resolution.values.DOCUTHINKER_AI_TASK_PROVIDERS;
  const overrides: Partial<Record<AiChainTask, readonly AiProvider[]>> = {};
  if (!raw) return overrides;
  const expected = resolution.expectedFor(variable);
  const problem = (text: string) => resolution.addProblem({ variable, problem: text, expected });

  for (const entry of raw
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [task = '', list = '', ...rest] = entry.split('=').map((part) => part.trim());
    const names = list
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (rest.length > 0 || names.length === 0) {
      problem(`has an entry "${entry}" that is not task=provider,provider`);
      continue;
    }
    if (!(AI_CHAIN_TASKS as readonly string[]).includes(task)) {
      problem(`names an unknown task "${task}" (known: ${AI_CHAIN_TASKS.join(', ')})`);
      continue;
    }
    if (task in overrides) {
      problem(`names the task ${task} twice`);
      continue;
    }
    const outside = names.filter((name) => !(chain as readonly string[]).includes(name));
    if (outside.length > 0) {
      problem(
        `gives ${task} the provider(s) ${outside.join(', ')}, which are not in the chain (${chain.join(', ')})`,
      );
      continue;
    }
    overrides[task as AiChainTask] = Object.freeze([...new Set(names)] as AiProvider[]);
  }
  return overrides;
}
