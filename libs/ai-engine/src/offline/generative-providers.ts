import { PROVIDER_NAMES, type ProviderName } from '../providers/ai-provider';
import { UPSTREAM_TASKS } from '../providers/upstream-tasks';
import type { AiTaskName } from '../tasks/task-types';

/** Providers that generate language: every provider but the offline engine. */
export const GENERATIVE_PROVIDERS: readonly ProviderName[] = PROVIDER_NAMES.filter(
  (name) => name !== 'local',
);

/**
 * The generative providers that perform `task` once configured, named in the
 * 501 for work the offline engine cannot do, so a caller knows what to
 * configure. Derived from the providers' own supported sets: the hosted chat
 * models do every task by prompt (ChatModelProvider.supports), the upstream
 * container only what its `/analyze` computes (UpstreamProvider.supports).
 */
export function capableProvidersFor(task: AiTaskName | 'answer'): ProviderName[] {
  return GENERATIVE_PROVIDERS.filter((name) => name !== 'upstream' || UPSTREAM_TASKS.has(task));
}
