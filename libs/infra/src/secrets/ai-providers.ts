import { SettingsError } from '../settings/settings-error';

/**
 * Hosted AI providers whose API key a deployment may supply. Each name is also
 * the key's secret in the catalogue (`docuthinker/openai`, ...), where all
 * three are optional: `tools:secrets check` passes without them.
 */
export const AI_PROVIDER_SECRETS = ['openai', 'anthropic', 'google'] as const;
export type AiProviderSecret = (typeof AI_PROVIDER_SECRETS)[number];

/** The CDK context key: `-c aiProviders=openai,google`. */
export const AI_PROVIDERS_CONTEXT_KEY = 'aiProviders';

function isAiProviderSecret(name: string): name is AiProviderSecret {
  return (AI_PROVIDER_SECRETS as readonly string[]).includes(name);
}

/**
 * The providers whose key secret exists in this deployment, from the
 * `aiProviders` context value: a comma-separated subset of openai, anthropic,
 * google (or the same as a list from cdk.json). Unset or blank means none.
 *
 * ECS refuses to start a task that references a secret which does not exist,
 * so an optional key is only injected when the deployment says it was created;
 * a typo fails the synth instead of silently dropping a provider.
 */
export function aiProvidersFromContext(value: unknown): AiProviderSecret[] {
  if (value === undefined || value === null) return [];
  const entries: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : [value];
  const names = entries.map((entry) => {
    if (typeof entry !== 'string') {
      throw new SettingsError(
        AI_PROVIDERS_CONTEXT_KEY,
        `${AI_PROVIDERS_CONTEXT_KEY} must be a comma-separated list of ${AI_PROVIDER_SECRETS.join(', ')}; got ${JSON.stringify(value)}`,
      );
    }
    return entry.trim().toLowerCase();
  });
  const chosen = new Set<AiProviderSecret>();
  for (const name of names.filter((entry) => entry !== '')) {
    if (!isAiProviderSecret(name)) {
      throw new SettingsError(
        AI_PROVIDERS_CONTEXT_KEY,
        `${AI_PROVIDERS_CONTEXT_KEY}: unknown provider "${name}"; expected a comma-separated subset of ${AI_PROVIDER_SECRETS.join(', ')}`,
      );
    }
    chosen.add(name);
  }
  // Catalogue order, so the task definition does not change with the order given.
  return AI_PROVIDER_SECRETS.filter((name) => chosen.has(name));
}
