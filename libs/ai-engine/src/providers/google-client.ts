import type { GoogleGenAI } from '@google/genai';
import type { SdkClientSettings } from './remote-provider-options';
import { sizeLimitedFetch } from './response-size-limit';
import { providerFailure } from './sdk-failure';
import { googleSdk } from './sdk-modules';

export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com';

/** One client per API key, built once and reused by every request on that key. */
export function createGoogleClient(apiKey: string, settings: SdkClientSettings): GoogleGenAI {
  return new (googleSdk().GoogleGenAI)({
    apiKey,
    httpOptions: {
      baseUrl: settings.baseUrl ?? GOOGLE_BASE_URL,
      // No `retryOptions`: without them the SDK makes exactly one attempt per
      // call. The chain's cockatiel policy retries (and counts failures for the
      // circuit breaker); SDK retries would multiply its attempts.
      fetch: sizeLimitedFetch(settings.maxResponseBytes),
    },
  });
}

/**
 * A ProviderError for what the Gemini SDK threw (aborts pass through). Its
 * ApiError has no headers and its message is the error body as JSON: Google
 * sends the retry hint and the error's status name there.
 */
export function googleFailure(error: unknown, signal: AbortSignal): unknown {
  if (error instanceof googleSdk().ApiError) {
    return providerFailure('google', error, signal, {
      status: error.status,
      retryAfterMs: retryAfterFromGoogleError(error.message),
      codes: [statusNameFromGoogleError(error.message)],
    });
  }
  return providerFailure('google', error, signal);
}

/** `error.status` of Google's error body (`{"error": {"status": "NOT_FOUND", …}}`), if it is JSON. */
function statusNameFromGoogleError(body: string): unknown {
  try {
    return (JSON.parse(body) as { error?: { status?: unknown } } | null)?.error?.status;
  } catch {
    return undefined;
  }
}

/**
 * Google's APIs put the hint in the error body instead, as a
 * `google.rpc.RetryInfo` detail: `{"retryDelay": "37s"}`.
 */
export function retryAfterFromGoogleError(body: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body);
  return match ? Number(match[1]) * 1000 : undefined;
}
