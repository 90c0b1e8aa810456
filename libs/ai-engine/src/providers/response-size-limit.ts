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
  return async (input, init) =>
    limitBody(await fetch(input, { ...init, redirect: PROVIDER_REDIRECTS }), limitBytes);
}

/**
 * A provider's API answers where it is asked; a redirect is a base URL that
 * points elsewhere, and is that provider's failure (failureKindForStatus).
 * Followed, a redirect loop made one call 21 POSTs per attempt, and a
 * redirect to another origin was sent the whole prompt, its answer then
 * named as the provider's (found in an exploratory test).
 */
export const PROVIDER_REDIRECTS = 'manual' as const;
