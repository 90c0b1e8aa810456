import { join } from 'node:path';
import type * as ProviderSdks from './provider-sdks';

let loaded: typeof ProviderSdks | undefined;

/**
 * The provider SDKs, loaded the first time one of their clients is built.
 * Bundled into the gateway's main.js they took its cold start from ~370 ms
 * to ~620 ms (docs/benchmarks.md), mostly compiling code that a gateway with
 * no provider keys never runs. The path is computed at run time so that the
 * bundler leaves this `require` alone: in the build it finds provider-sdks.js,
 * a bundle of its own beside main.js (apps/aiml-gateway/project.json); from
 * the sources (tests) the TypeScript module next to this file. `require`
 * rather than `import()` keeps building a client synchronous.
 */
function providerSdks(): typeof ProviderSdks {
  loaded ??= require(join(__dirname, 'provider-sdks')) as typeof ProviderSdks;
  return loaded;
}

export const openAiSdk = () => providerSdks().openai;
export const anthropicSdk = () => providerSdks().anthropic;
export const googleSdk = () => providerSdks().google;
