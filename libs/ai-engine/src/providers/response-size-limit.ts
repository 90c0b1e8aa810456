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
 */
export function sizeLimitedFetch(limitBytes = MAX_PROVIDER_RESPONSE_BYTES): typeof fetch {
  return async (input, init) => limitBody(await fetch(input, init), limitBytes);
}
