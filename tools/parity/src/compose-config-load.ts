import { ConfigError, loadBackendConfig, loadGatewayConfig } from '@docuthinker/config';
import { interpolate } from './compose-interpolation';
import type { WebService } from './parity-model';

const LOADERS: Readonly<
  Record<WebService, (env: Record<string, string>) => { notices: readonly string[] }>
> = {
  backend: loadBackendConfig,
  'aiml-gateway': loadGatewayConfig,
};

/** What libs/config makes of the environment compose gives a service. */
export type ComposeConfigOutcome =
  | { readonly loads: true; readonly fallbacks: readonly string[] }
  | { readonly loads: false; readonly problems: readonly string[] };

/**
 * Loads the service's configuration with the environment `docker compose up`
 * gives its container: the image's ENV, overridden by the compose service's
 * `environment` as `.env.example` fills it in. `fallbacks` are the variables
 * the service runs without, on an embedded default (from its notices).
 */
export function loadComposeConfig(
  service: WebService,
  composeEnvironment: Readonly<Record<string, string>>,
  envExample: ReadonlyMap<string, string>,
  imageEnvironment: Readonly<Record<string, string>>,
): ComposeConfigOutcome {
  const environment: Record<string, string> = { ...imageEnvironment };
  try {
    for (const [variable, value] of Object.entries(composeEnvironment)) {
      environment[variable] = interpolate(value, envExample);
    }
    const { notices } = LOADERS[service](environment);
    return {
      loads: true,
      fallbacks: notices.map((notice) => notice.split(' ')[0] ?? notice),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { loads: false, problems: error.problems.map((p) => `${p.variable}: ${p.problem}`) };
    }
    return { loads: false, problems: [(error as Error).message] };
  }
}
