/** Codes of Node's and undici's errors for a connection that failed, was cut or timed out. */
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_ABORTED',
]);

/** How deep a chain of causes is followed; fetch wraps undici's error once or twice. */
const MAX_CAUSE_DEPTH = 8;

interface ErrorFields {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** Whether `code` is a Node or undici code for a connection that failed, was cut or timed out. */
export function isTransportErrorCode(code: unknown): boolean {
  return typeof code === 'string' && TRANSPORT_ERROR_CODES.has(code);
}

function isTransportFailureItself({ name, message, code }: ErrorFields): boolean {
  if (name === 'RequestDeadlineError' || name === 'TimeoutError') return true;
  if (isTransportErrorCode(code)) return true;
  // fetch's own wording: no answer ("fetch failed"), or the body cut off
  // while it was being read ("terminated").
  return name === 'TypeError' && (message === 'fetch failed' || message === 'terminated');
}

/**
 * True when an HTTP exchange failed on the way (no connection, a connection
 * cut, a timeout or deadline), as opposed to an answer the server gave or a
 * bug. By name and code, not `instanceof`: fetch's errors belong to Node's
 * own realm (see libs/runtime's response-size-limit.ts).
 */
export function isTransportFailure(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (typeof current !== 'object' || current === null) return false;
    if (isTransportFailureItself(current as ErrorFields)) return true;
    current = (current as ErrorFields).cause;
  }
  return false;
}

/**
 * `error`'s message followed by its causes' ("fetch failed: other side
 * closed"), for logs: fetch says only "fetch failed", and whether Chroma
 * refused the connection, cut it or ran out of time is in the cause.
 */
export function describeTransportFailure(error: unknown): string {
  const messages: string[] = [];
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (typeof current !== 'object' || current === null) break;
    const { message, code, errors } = current as ErrorFields & { errors?: unknown };
    // Node's connect error for a host of several addresses is an
    // AggregateError with no message: its first error, or its code, says it.
    const first = Array.isArray(errors) ? (errors[0] as ErrorFields | undefined) : undefined;
    const said = [message, first?.message, code].find(
      (text): text is string => typeof text === 'string' && text !== '',
    );
    if (said !== undefined && !messages.includes(said)) messages.push(said);
    current = (current as ErrorFields).cause;
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}
