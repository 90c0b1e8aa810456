import type { OpenAI } from 'openai';
import { sizeLimitedFetch } from './response-size-limit';
import { retryAfterFromHeaders } from '@docuthinker/runtime';
import type { SdkClientSettings } from './remote-provider-options';
import { providerFailure } from './sdk-failure';
import { openAiSdk } from './sdk-modules';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** One client per API key, built once and reused by every request on that key. */
export function createOpenAiClient(apiKey: string, settings: SdkClientSettings): OpenAI {
  return new (openAiSdk().OpenAI)({
    apiKey,
    baseURL: settings.baseUrl ?? OPENAI_BASE_URL,
    // The chain's cockatiel policy retries (and counts failures for the
    // circuit breaker); retries inside the SDK would multiply its attempts.
    maxRetries: 0,
    fetch: sizeLimitedFetch(settings.maxResponseBytes),
  });
}

/** A ProviderError for what the OpenAI SDK threw (aborts pass through). */
export function openAiFailure(error: unknown, signal: AbortSignal): unknown {
  const { APIConnectionError, APIError } = openAiSdk();
  if (error instanceof APIConnectionError) {
    return providerFailure('openai', error, signal, { connection: true });
  }
  if (error instanceof APIError && error.status !== undefined) {
    return providerFailure('openai', error, signal, {
      status: error.status,
      retryAfterMs: retryAfterFromHeaders(error.headers),
      codes: [error.code, error.type],
    });
  }
  if (error instanceof APIError) {
    return providerFailure('openai', error, signal, {
      midStream: true,
      codes: [error.code, error.type],
    });
  }
  return providerFailure('openai', error, signal);
}
