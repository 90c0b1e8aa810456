import {
  LocalProvider,
  ProviderChain,
  type AiEngine,
  type AiEngineConfig,
} from '@docuthinker/ai-engine';
import { DocumentAnalyzer } from './document-analyzer';
import { UpstreamAnalyzer, type UpstreamAnalyzerOptions } from './upstream-analyzer';

/**
 * Wires `/analyze` for a configuration. With an upstream URL, the local
 * fallback gets a chain of its own without the `upstream` provider: asking
 * the container that just failed once per part of the analysis would only
 * add its timeouts to the fallback. It runs the engine's own adapters, so a
 * key cooling down or quarantined there is one here too.
 */
export function createDocumentAnalyzer(
  config: AiEngineConfig,
  engine: AiEngine,
  upstreamOverrides: Partial<Omit<UpstreamAnalyzerOptions, 'url'>> = {},
): DocumentAnalyzer {
  if (!config.upstreamUrl) {
    return new DocumentAnalyzer({
      providers: engine.providers,
      retrieval: engine.retrieval,
      offlineTasks: engine.offlineTasks,
    });
  }
  const others = engine.providerAdapters.filter((adapter) => adapter.name !== 'upstream');
  const providers = new ProviderChain(
    others.length > 0 ? others : [new LocalProvider(engine.offlineTasks)],
    {
      resilience: config.resilience,
      perProvider: config.perProvider,
      taskProviders: withoutUpstream(config.taskProviders),
      deadlineMs: config.providerDeadlineMs,
      onAttempt: config.onAttempt,
      onFailover: config.onFailover,
      onCircuitChange: config.onCircuitChange,
    },
  );
  return new DocumentAnalyzer({
    // Within the AI deadline, which the fallback shares (its default was a fixed 60 s).
    upstream: new UpstreamAnalyzer({
      url: config.upstreamUrl,
      timeoutMs: config.providerDeadlineMs,
      ...upstreamOverrides,
    }),
    deadlineMs: config.providerDeadlineMs,
    providers,
    retrieval: engine.retrieval,
    offlineTasks: engine.offlineTasks,
  });
}

/**
 * Per-task overrides for the fallback chain, which has no `upstream`: an
 * override naming only the container would leave its task no provider at
 * all (and read as unsupported), so it falls back to the chain's own order.
 */
function withoutUpstream(
  taskProviders: AiEngineConfig['taskProviders'],
): AiEngineConfig['taskProviders'] {
  if (!taskProviders) return undefined;
  return Object.fromEntries(
    Object.entries(taskProviders).flatMap(([task, providers]) => {
      const others = (providers ?? []).filter((provider) => provider !== 'upstream');
      return others.length > 0 ? [[task, others]] : [];
    }),
  );
}
