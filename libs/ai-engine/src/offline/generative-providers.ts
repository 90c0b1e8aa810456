import type { ProviderName } from '../providers/ai-provider';

/**
 * Providers that generate language, named in the 501 the offline engine
 * answers for work it cannot do by selecting sentences (translation,
 * free-form rewriting), so a caller knows what to configure.
 */
export const GENERATIVE_PROVIDERS: readonly ProviderName[] = [
  'upstream',
  'openai',
  'anthropic',
  'google',
];
