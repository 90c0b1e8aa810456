import { failureKindForStatus, ProviderError } from './provider-error';
import { knownErrorCode } from './provider-error-codes';
import { isResponseTooLarge } from '@docuthinker/runtime';
import { ProviderRedirectError } from './response-size-limit';

/** What an SDK's error class says about a failed call. */
export type SdkFailure =
  /** A non-2xx answer, from the SDK's API error class. */
  | {
      readonly status: number;
      readonly retryAfterMs?: number;
      /** The body's error code fields, most specific first; only known codes are kept. */
      readonly codes?: readonly unknown[];
    }
  /** The SDK's connection error: refused, reset, DNS, TLS. */
  | { readonly connection: true }
  /**
   * An error the API sent in place of the rest of a streamed answer (an
   * `error` event: overloaded, an internal error), which the SDK throws
   * without a status: the response's own was 200.
   */
  | { readonly midStream: true; readonly codes?: readonly unknown[] };

/** The error and the errors it was caused by; an SDK may wrap undici's error in its own. */
function* causeChain(error: unknown): Generator<Error> {
  for (
    let current = error;
    typeof current === 'object' && current !== null;
    current = (current as Error).cause
  ) {
    yield current as Error;
  }
}

/**
 * By name, not `instanceof`: errors from undici belong to Node's own realm,
 * which is not always the realm of this code's (or the SDK's) globals.
 */
function causedBy(error: unknown, name: string, messages?: readonly string[]): boolean {
  for (const cause of causeChain(error)) {
    if (cause.name === name && (!messages || messages.includes(cause.message))) return true;
  }
  return false;
}

/** The redirect sizeLimitedFetch refused, however the SDK wrapped it. */
function redirectIn(error: unknown): ProviderRedirectError | undefined {
  for (const cause of causeChain(error)) {
    if (cause instanceof ProviderRedirectError) return cause;
  }
  return undefined;
}

/** undici's own errors, for an SDK that lets them through: fetch failed, body cut off. */
const UNDICI_NETWORK_MESSAGES = ['fetch failed', 'terminated'];

/**
 * Turns whatever an SDK call threw into a classified ProviderError, so that
 * the chain retries, counts and fails over on it like on any other provider
 * failure. An abort is the chain's timeout or deadline (or the client leaving)
 * and is returned as is: it is not the provider's failure.
 *
 * What the provider said stays out of the ProviderError, its message and its
 * cause alike (loggers print an error's causes): an error body's message
 * quotes the request (the system prompt, the document) or echoes the key, and
 * a JSON parser's message quotes the body. Only its status and a known error
 * code are kept. A connection failure keeps its cause: that is this side's
 * (refused, reset, DNS), and the operator needs it.
 */
export function providerFailure(
  provider: string,
  error: unknown,
  signal: AbortSignal,
  sdk?: SdkFailure,
): unknown {
  if (signal.aborted || error instanceof ProviderError) return error;
  const redirect = redirectIn(error);
  if (redirect) {
    return new ProviderError(provider, 'misconfigured', `HTTP ${redirect.status}`, redirect.status);
  }
  if (isResponseTooLarge(error)) {
    return new ProviderError(provider, 'malformed', (error as Error).message);
  }
  if (sdk && 'status' in sdk) {
    const code = knownErrorCode(sdk.codes ?? []);
    return new ProviderError(
      provider,
      failureKindForStatus(sdk.status) ?? 'malformed',
      `HTTP ${sdk.status}${code === undefined ? '' : ` (${code})`}`,
      sdk.status,
      { retryAfterMs: sdk.retryAfterMs, code },
    );
  }
  if (sdk && 'midStream' in sdk) {
    const code = knownErrorCode(sdk.codes ?? []);
    return new ProviderError(
      provider,
      'server',
      `the answer's stream reported an error${code === undefined ? '' : ` (${code})`}`,
      undefined,
      { code },
    );
  }
  if ((sdk && 'connection' in sdk) || causedBy(error, 'TypeError', UNDICI_NETWORK_MESSAGES)) {
    const message =
      typeof error === 'object' && error !== null && typeof (error as Error).message === 'string'
        ? (error as Error).message
        : String(error);
    return new ProviderError(provider, 'network', `request failed: ${message}`, undefined, {
      cause: error,
    });
  }
  // The SDKs parse a body labelled JSON with `response.json()`.
  if (causedBy(error, 'SyntaxError')) {
    return new ProviderError(provider, 'malformed', 'the answer is not JSON');
  }
  // Anything else broke while the SDK read or converted the answer.
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError(provider, 'malformed', `unreadable answer (${name})`);
}
