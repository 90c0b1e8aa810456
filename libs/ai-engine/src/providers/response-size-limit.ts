import { limitBody } from '@docuthinker/runtime';

/**
 * The most a provider answer may hold. A chat completion or a batch of 96
 * embeddings is well under 2 MB; without a cap, one runaway or hostile answer
 * (a 200 MB body cost ~627 MB of RSS) is read whole into memory.
 */
export const MAX_PROVIDER_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A `fetch` for the SDKs whose answers stop at `limitBytes`: reading more
 * makes the SDK's own `json()`/`text()` reject with ResponseTooLargeError
 * (a malformed answer, see sdk-failure), and the connection is closed.
 * Redirects are not followed (see PROVIDER_REDIRECTS).
 */
export function sizeLimitedFetch(limitBytes = MAX_PROVIDER_RESPONSE_BYTES): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, { ...init, redirect: PROVIDER_REDIRECTS });
    if (isRedirect(response.status)) {
      // Thrown here, so every SDK reports it alike: Google's reads a status
      // below 400 as no API error at all (see providerFailure).
      await response.body?.cancel().catch(() => undefined);
      throw new ProviderRedirectError(response.status);
    }
    return limitBody(response, limitBytes);
  };
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** A provider's API answered with a redirect, which is not followed. */
export class ProviderRedirectError extends Error {
  override readonly name = 'ProviderRedirectError';
  constructor(readonly status: number) {
    super(`HTTP ${status}: a redirect, not followed`);
  }
}

/**
 * A provider's API answers where it is asked; a redirect is a base URL that
 * points elsewhere, and is that provider's failure (failureKindForStatus).
 * Followed, a redirect loop made one call 21 POSTs per attempt, and a
 * redirect to another origin was sent the whole prompt, its answer then
 * named as the provider's (found in an exploratory test).
 */
export const PROVIDER_REDIRECTS = 'manual' as const;
