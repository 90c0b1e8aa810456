import { join } from 'node:path';
import { InvalidInputError, UnknownTaskError } from '../errors';
import type { DocumentGraphOptions } from '../graph/document-graph';
import type { KnowledgeGraph } from '../graph/knowledge-graph';
import { LibsqlKnowledgeGraph } from '../graph/libsql-knowledge-graph';
import { Neo4jKnowledgeGraph } from '../graph/neo4j-knowledge-graph';
import type { AiProvider, ProviderName, TokenUsage } from '../providers/ai-provider';
import type { KeyQuarantineEvent } from '../providers/key-pool';
import { AnthropicProvider } from '../providers/anthropic-provider';
import { GoogleProvider } from '../providers/google-provider';
import { OfflineWorkerPool } from '../offline/offline-worker-pool';
import { inlineOfflineTasks, type OfflineTaskRunner } from '../offline/offline-task-runner';
import type { CircuitStatus } from '../providers/circuit-status';
import { LocalProvider } from '../providers/local-provider';
import { OpenAiProvider } from '../providers/openai-provider';
import {
  ProviderChain,
  type ChainCallOptions,
  type ProviderChainOptions,
  type ProviderStatus,
} from '../providers/provider-chain';
import { UpstreamProvider } from '../providers/upstream-provider';
import { ChromaVectorIndex } from '../retrieval/chroma-vector-index';
import type { ChunkerOptions } from '../retrieval/chunker';
import type { Embedder } from '../retrieval/embedder';
import { HashingEmbedder } from '../retrieval/hashing-embedder';
import { LibsqlVectorIndex } from '../retrieval/libsql-vector-index';
import { GoogleEmbedder, OpenAiEmbedder } from '../retrieval/provider-embedders';
import type { VectorIndex } from '../retrieval/vector-index';
import {
  isAiTaskName,
  type AiTaskName,
  type TaskInput,
  type TaskOutputs,
} from '../tasks/task-types';
import { RetrievalService } from './retrieval-service';
import type { SharedWriteLock } from './shared-write-lock';

export interface AiEngineConfig extends Pick<
  ProviderChainOptions,
  'resilience' | 'perProvider' | 'taskProviders' | 'onAttempt' | 'onFailover' | 'onCircuitChange'
> {
  /** Embedded data root (`DOCUTHINKER_DATA_DIR`). */
  readonly dataDir: string;
  /** Where the embedded vector index lives (`DOCUTHINKER_CHROMA_DIR`); `<dataDir>/chroma` by default. */
  readonly chromaDir?: string;
  /** Chroma server; the embedded libSQL index when absent. */
  readonly chromaUrl?: string;
  /** Neo4j, credentials in the URI; the embedded libSQL graph when absent. */
  readonly neo4jUri?: string;
  readonly syncGraph: boolean;
  readonly syncVector: boolean;
  /** Failover order, e.g. `['openai', 'local']`; `taskProviders` overrides it per task. */
  readonly providers: readonly ProviderName[];
  /** Budget of one AI call across the remote providers (`DOCUTHINKER_AI_DEADLINE_MS`). */
  readonly providerDeadlineMs?: number;
  /** Each may be a comma-separated pool of keys. */
  readonly providerKeys: Readonly<{ openai?: string; anthropic?: string; google?: string }>;
  /** The FastAPI AI/ML container, for the `upstream` provider. */
  readonly upstreamUrl?: string;
  /**
   * API base URLs as each SDK takes them (proxies, compatible services, test
   * servers); OpenAI's includes the version path (`…/v1`).
   */
  readonly providerBaseUrls?: Readonly<{ openai?: string; anthropic?: string; google?: string }>;
  readonly providerModels?: Readonly<Partial<Record<ProviderName, string>>>;
  /** Told once each time a provider key is quarantined after a 401/403, e.g. to log it. */
  readonly onKeyQuarantined?: (event: KeyQuarantineEvent) => void;
  /**
   * Where embeddings come from: the offline hashing embedder (default) or a
   * provider's embedding API with its key from `providerKeys`. Changing it
   * means a new collection (Chroma) or a clear mismatch error (embedded).
   */
  readonly embeddings?: 'local' | 'openai' | 'google';
  /** A ready-made embedder; takes precedence over `embeddings`. */
  readonly embedder?: Embedder;
  readonly chunking?: ChunkerOptions;
  readonly graph?: DocumentGraphOptions;
  /**
   * The built worker file that runs the offline engine in threads (the
   * gateway's `offline-worker.js`); on the caller's thread when absent.
   */
  readonly offlineWorkerFile?: string;
  /** Told when an offline worker thread fails outside any task, e.g. to log it. */
  readonly onOfflineWorkerError?: (error: Error) => void;
  /** Orders one document's index writes across replicas that share the stores. */
  readonly sharedWriteLock?: SharedWriteLock;
}

export interface TaskResponse<T extends AiTaskName> {
  readonly task: T;
  readonly output: TaskOutputs[T];
  readonly provider: ProviderName;
  readonly model: string;
  readonly degraded: boolean;
  readonly usage?: TokenUsage;
  readonly notes: readonly string[];
}

export type DependencyState = 'up' | 'down' | 'disabled';

export interface Readiness {
  /** False when an enabled index does not answer. Providers do not decide it: the offline engine always can. */
  readonly ready: boolean;
  readonly dependencies: ReadonlyArray<{
    name: 'vector-index' | 'knowledge-graph';
    adapter?: string;
    state: DependencyState;
    error?: string;
    /**
     * The circuit breaker in front of the store server, only while it is not
     * closed: `state` is the store's own answer to a probe past the circuit,
     * this is whether calls reach it.
     */
    circuit?: CircuitStatus;
  }>;
  readonly providers: readonly ProviderStatus[];
}

export interface AiEngine {
  readonly providers: ProviderChain;
  /**
   * The adapters `providers` runs, each with its key pool: a chain of another
   * order built over them shares the keys' cool-downs and quarantines.
   */
  readonly providerAdapters: readonly AiProvider[];
  /** Where the offline engine runs (closed with the engine). */
  readonly offlineTasks: OfflineTaskRunner;
  readonly retrieval: RetrievalService;
  readonly embedder: Embedder;
  readonly vectorIndex?: VectorIndex;
  readonly knowledgeGraph?: KnowledgeGraph;
  runTask<T extends AiTaskName>(
    task: T,
    input: TaskInput,
    signal?: AbortSignal,
    call?: ChainCallOptions,
  ): Promise<TaskResponse<T>>;
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

/**
 * Upstream analysis is heavier than a chat completion; it gets more time by
 * default. Longer than the chain's deadline on purpose: an attempt is also cut
 * at the end of the provider's turn, and a turn's share of the deadline
 * follows the providers' timeouts (see turnBudgetMs), so this gives the
 * container twice a hosted model's share at the default timeouts, or the
 * whole deadline when no other remote provider follows it.
 */
const UPSTREAM_TIMEOUT_MS = 60000;

export function buildProviders(
  config: AiEngineConfig,
  offlineTasks: OfflineTaskRunner = inlineOfflineTasks,
): AiProvider[] {
  const keyFor = (name: 'openai' | 'anthropic' | 'google') =>
    requiredKey(config, name, 'providers');
  return config.providers.map((name): AiProvider => {
    const model = config.providerModels?.[name];
    switch (name) {
      case 'upstream':
        if (!config.upstreamUrl)
          throw new InvalidInputError(
            'providers',
            'name upstream, but no upstream URL is configured',
          );
        return new UpstreamProvider({ url: config.upstreamUrl, model });
      case 'openai':
        return new OpenAiProvider({
          apiKeys: keyFor('openai'),
          model,
          baseUrl: config.providerBaseUrls?.openai,
          onKeyQuarantined: config.onKeyQuarantined,
        });
      case 'anthropic':
        return new AnthropicProvider({
          apiKeys: keyFor('anthropic'),
          model,
          baseUrl: config.providerBaseUrls?.anthropic,
          onKeyQuarantined: config.onKeyQuarantined,
        });
      case 'google':
        return new GoogleProvider({
          apiKeys: keyFor('google'),
          model,
          baseUrl: config.providerBaseUrls?.google,
          onKeyQuarantined: config.onKeyQuarantined,
        });
      case 'local':
        return new LocalProvider(offlineTasks);
    }
  });
}

export function buildEmbedder(config: AiEngineConfig): Embedder {
  switch (config.embeddings ?? 'local') {
    case 'local':
      return new HashingEmbedder(384);
    case 'openai':
      return new OpenAiEmbedder({
        apiKeys: requiredKey(config, 'openai', 'embeddings'),
        baseUrl: config.providerBaseUrls?.openai,
        onKeyQuarantined: config.onKeyQuarantined,
      });
    case 'google':
      return new GoogleEmbedder({
        apiKeys: requiredKey(config, 'google', 'embeddings'),
        baseUrl: config.providerBaseUrls?.google,
        onKeyQuarantined: config.onKeyQuarantined,
      });
  }
}

function requiredKey(
  config: AiEngineConfig,
  name: 'openai' | 'anthropic' | 'google',
  field: string,
): string {
  const key = config.providerKeys[name];
  if (!key)
    throw new InvalidInputError(field, `name ${name}, but no ${name} API key is configured`);
  return key;
}

async function openVectorIndex(
  config: AiEngineConfig,
  embedder: Embedder,
): Promise<VectorIndex | undefined> {
  if (!config.syncVector) return undefined;
  const embedding = { model: embedder.model, dimensions: embedder.dimensions };
  if (config.chromaUrl) return ChromaVectorIndex.connect({ url: config.chromaUrl, embedding });
  return LibsqlVectorIndex.open({
    path: join(config.chromaDir ?? join(config.dataDir, 'chroma'), 'vectors.db'),
    embedding,
  });
}

async function openKnowledgeGraph(config: AiEngineConfig): Promise<KnowledgeGraph | undefined> {
  if (!config.syncGraph) return undefined;
  if (config.neo4jUri) return Neo4jKnowledgeGraph.connect({ uri: config.neo4jUri });
  return LibsqlKnowledgeGraph.open(join(config.dataDir, 'graph', 'graph.db'));
}

/**
 * How long one store's readiness probe may take before it reads `down`.
 * Each store is bounded on its own, below the gateway's bound on the whole
 * report (2 s, health-routes.ts): a Chroma that accepts connections and
 * never answers waits out its request timeout (15 s), and the whole report,
 * the other store's state and the provider circuits, was lost with it.
 */
const PROBE_TIMEOUT_MS = 1500;

async function probe(store: { ping(): Promise<void> } | undefined) {
  if (!store) return { state: 'disabled' as const };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([store.ping(), late]);
    return { state: 'up' as const };
  } catch (error) {
    return { state: 'down' as const, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The composition root of the AI/ML domain: builds the embedder, the vector
 * index and knowledge graph adapters (server or embedded, or none when sync is
 * off), the provider chain, and the services over them.
 */
export async function createAiEngine(config: AiEngineConfig): Promise<AiEngine> {
  // Starts no thread until the offline engine is first asked for something.
  const offlineTasks = config.offlineWorkerFile
    ? new OfflineWorkerPool({
        workerFile: config.offlineWorkerFile,
        onError: config.onOfflineWorkerError,
      })
    : inlineOfflineTasks;
  try {
    return await assembleAiEngine(config, offlineTasks);
  } catch (error) {
    await offlineTasks.close();
    throw error;
  }
}

async function assembleAiEngine(
  config: AiEngineConfig,
  offlineTasks: OfflineTaskRunner,
): Promise<AiEngine> {
  const providerAdapters = buildProviders(config, offlineTasks);
  const providers = new ProviderChain(providerAdapters, {
    resilience: config.resilience,
    perProvider: {
      ...config.perProvider,
      // Merged, so that overriding another upstream setting keeps this timeout.
      upstream: { timeoutMs: UPSTREAM_TIMEOUT_MS, ...config.perProvider?.upstream },
    },
    taskProviders: config.taskProviders,
    deadlineMs: config.providerDeadlineMs,
    onAttempt: config.onAttempt,
    onFailover: config.onFailover,
    onCircuitChange: config.onCircuitChange,
  });
  const embedder = config.embedder ?? buildEmbedder(config);
  const vectorIndex = await openVectorIndex(config, embedder);
  let knowledgeGraph: KnowledgeGraph | undefined;
  try {
    knowledgeGraph = await openKnowledgeGraph(config);
  } catch (error) {
    await vectorIndex?.close();
    throw error;
  }
  const retrieval = new RetrievalService({
    embedder,
    vectorIndex,
    knowledgeGraph,
    answerer: providers,
    chunking: config.chunking,
    graph: config.graph,
    offlineTasks,
    sharedWriteLock: config.sharedWriteLock,
  });

  return {
    providers,
    providerAdapters,
    offlineTasks,
    retrieval,
    embedder,
    vectorIndex,
    knowledgeGraph,

    async runTask<T extends AiTaskName>(
      task: T,
      input: TaskInput,
      signal?: AbortSignal,
      call?: ChainCallOptions,
    ): Promise<TaskResponse<T>> {
      if (!isAiTaskName(task)) throw new UnknownTaskError(task);
      if (typeof input?.text !== 'string' || input.text.trim().length === 0) {
        throw new InvalidInputError('text', 'must be a non-empty string');
      }
      const result = await providers.runTask(task, input, signal, call);
      return {
        task,
        output: result.output,
        provider: result.provider,
        model: result.model,
        degraded: result.degraded,
        usage: result.usage,
        notes: result.notes,
      };
    },

    async readiness(): Promise<Readiness> {
      const [vector, graph] = await Promise.all([probe(vectorIndex), probe(knowledgeGraph)]);
      const circuit = vectorIndex?.circuit;
      const dependencies = [
        {
          name: 'vector-index' as const,
          adapter: vectorIndex?.kind,
          ...vector,
          // Shown only when it keeps calls out: a Chroma that answers its
          // heartbeat but whose reads hang is `up` with an open circuit.
          ...(circuit !== undefined && circuit !== 'closed' ? { circuit } : {}),
        },
        { name: 'knowledge-graph' as const, adapter: knowledgeGraph?.kind, ...graph },
      ];
      return {
        ready: dependencies.every((dependency) => dependency.state !== 'down'),
        dependencies,
        providers: providers.circuits(),
      };
    },

    async close(): Promise<void> {
      await Promise.allSettled([
        vectorIndex?.close(),
        knowledgeGraph?.close(),
        offlineTasks.close(),
      ]);
    },
  };
}
