import type { Anthropic } from '@anthropic-ai/sdk';
import type { SdkClientSettings } from './remote-provider-options';
import { sizeLimitedFetch } from './response-size-limit';
import { retryAfterFromHeaders } from '@docuthinker/runtime';
import { providerFailure } from './sdk-failure';
import { anthropicSdk } from './sdk-modules';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** One client per API key, built once and reused by every request on that key. */
export function createAnthropicClient(apiKey: string, settings: SdkClientSettings): Anthropic {
  return new (anthropicSdk().Anthropic)({
    apiKey,
    baseURL: settings.baseUrl ?? ANTHROPIC_BASE_URL,
    // The chain's cockatiel policy retries (and counts failures for the
    // circuit breaker); retries inside the SDK would multiply its attempts.
    maxRetries: 0,
    fetch: sizeLimitedFetch(settings.maxResponseBytes),
  });
}

/** A ProviderError for what the Anthropic SDK threw (aborts pass through). */
export function anthropicFailure(error: unknown, signal: AbortSignal): unknown {
  const { APIConnectionError, APIError } = anthropicSdk();
  if (error instanceof APIConnectionError) {
    return providerFailure('anthropic', error, signal, { connection: true });
  }
  if (error instanceof APIError && error.status !== undefined) {
    return providerFailure('anthropic', error, signal, {
      status: error.status,
      retryAfterMs: retryAfterFromHeaders(error.headers),
      codes: [error.type],
    });
  }
  if (error instanceof APIError) {
    return providerFailure('anthropic', error, signal, { midStream: true, codes: [error.type] });
  }
  return providerFailure('anthropic', error, signal);
}
