/**
 * The error codes the hosted APIs name a failure with, as documented: OpenAI's
 * `error.code` and `error.type`, Anthropic's `error.type`, Google's
 * `error.status` (google.rpc.Code names). They are what a ProviderError keeps
 * of a failed answer's body, for logs and metrics: the body's message is the
 * provider's free text, which quotes the request (the system prompt, the
 * document) or echoes the key, and is kept nowhere.
 *
 * A fixed list, not a pattern: these fields are free text on the wire too,
 * and a proxy or an OpenAI-compatible service can put anything in them.
 */
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  // OpenAI `error.code`.
  'invalid_api_key',
  'model_not_found',
  'context_length_exceeded',
  'rate_limit_exceeded',
  'insufficient_quota',
  'unsupported_parameter',
  'unsupported_value',
  'invalid_value',
  'string_above_max_length',
  'content_policy_violation',
  'account_deactivated',
  'unsupported_country_region_territory',
  // OpenAI `error.type`, Anthropic `error.type`.
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
  'billing_error',
  'timeout_error',
  'server_error',
  // Google `error.status`.
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'CANCELLED',
  'INTERNAL',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'UNIMPLEMENTED',
  'UNKNOWN',
]);

/** The first of `candidates` (most specific first) that is a known error code, if any. */
export function knownErrorCode(candidates: readonly unknown[]): string | undefined {
  return candidates.find(
    (candidate): candidate is string =>
      typeof candidate === 'string' && KNOWN_ERROR_CODES.has(candidate),
  );
}
