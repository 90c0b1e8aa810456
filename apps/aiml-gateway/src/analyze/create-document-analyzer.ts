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
 * fallback asks the engine's chain without the `upstream` provider: asking
 * the container that just failed once per part of the analysis would only
 * add its timeouts to the fallback. It runs the engine's own adapters and
 * circuits, so a key cooling down or a circuit open there is one here too,
 * and /ready reports what the fallback met.
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
  const providers =
    engine.providers.without('upstream', withoutUpstream(config.taskProviders)) ??
    new ProviderChain([new LocalProvider(engine.offlineTasks)], {
      deadlineMs: config.providerDeadlineMs,
      onAttempt: config.onAttempt,
    });
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
