import {
  buildProviders,
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
 * add its timeouts to the fallback.
 */
export function createDocumentAnalyzer(
  config: AiEngineConfig,
  engine: AiEngine,
  upstreamOverrides: Partial<Omit<UpstreamAnalyzerOptions, 'url'>> = {},
): DocumentAnalyzer {
  if (!config.upstreamUrl) {
    return new DocumentAnalyzer({ providers: engine.providers, retrieval: engine.retrieval });
  }
  const others = config.providers.filter((provider) => provider !== 'upstream');
  const providers = new ProviderChain(
    buildProviders({ ...config, providers: others.length > 0 ? others : ['local'] }),
    {
      resilience: config.resilience,
      perProvider: config.perProvider,
      taskProviders: config.taskProviders,
      deadlineMs: config.providerDeadlineMs,
      onAttempt: config.onAttempt,
    },
  );
  return new DocumentAnalyzer({
    upstream: new UpstreamAnalyzer({ url: config.upstreamUrl, ...upstreamOverrides }),
    providers,
    retrieval: engine.retrieval,
  });
}
