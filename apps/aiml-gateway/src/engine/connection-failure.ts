import { EmbeddingMismatchError, isTransportErrorCode } from '@docuthinker/ai-engine';

/**
 * A connect attempt that passed its deadline (see EngineConnection): a store
 * that accepts connections and never answers (a black-holed address, a
 * server stuck starting) is out of reach like one that refuses them, so the
 * attempt is retried as an outage. The socket code says so to
 * isStoreOutage, as a driver's own connect timeout would.
 */
export class StoreConnectTimeoutError extends Error {
  override readonly name = 'StoreConnectTimeoutError';
  readonly code = 'ETIMEDOUT';

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`the stores did not answer within ${timeoutMs} ms; the attempt was abandoned`, options);
  }
}

/** How deep a chain of causes is followed; drivers wrap an error once or twice. */
const MAX_CAUSE_DEPTH = 8;

interface ErrorFields {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly retryable?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * One error, without its causes. Matched by name and fields: the Chroma
 * client and the Neo4j driver load only when configured.
 * - Chroma: no connection, a 5xx or a 429 (the client's own error types);
 *   its 4xx (a wrong URL, token or collection setting) is not an outage.
 * - Neo4j: what the driver itself would retry (unavailable, session
 *   expired, transient) and its pool's acquisition timeout; a refused login,
 *   an unknown database or a URI naming the HTTP port is not.
 * - The embedded files: locked by another process (the task being replaced
 *   still holds them), which passes; a file that cannot be opened does not.
 */
function isOutageItself(error: ErrorFields): boolean {
  switch (error.name) {
    case 'ChromaConnectionError':
    case 'ChromaServerError':
    case 'ChromaRateLimitError':
      return true;
    case 'Neo4jError':
      // The driver's own errors have no server code (`N/A`); of those, only
      // its pool timing out while the server is slow is an outage. Others
      // ("Server responded HTTP" for the browser port, an unknown protocol
      // version, an untrusted certificate) are the configuration's.
      return (
        error.retryable === true ||
        (error.code === 'N/A' && /^Connection acquisition timed out/.test(String(error.message)))
      );
    case 'SqliteError':
      return error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED';
    default:
      // The store's host did not answer, could not be resolved (yet) or dropped the connection.
      return isTransportErrorCode(error.code);
  }
}

/**
 * True when the AI engine failed to connect because a store is out of reach
 * for now, so that trying again later can succeed. Anything else (an index
 * recorded with another embedding model, a provider key pool that cannot be
 * built, a store refusing the configured credentials, a bug) fails the same
 * way on every attempt: retrying would leave the gateway unready for ever
 * instead of failing its start where an operator sees it.
 */
export function isStoreOutage(error: unknown): boolean {
  if (error instanceof EmbeddingMismatchError) return false;
  // The error and its causes (`cause`, and an AggregateError's `errors`, as
  // Node gives for a host with several addresses).
  let level: unknown[] = [error];
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && level.length > 0; depth += 1) {
    const errors = level.filter(
      (candidate): candidate is ErrorFields => typeof candidate === 'object' && candidate !== null,
    );
    if (errors.some(isOutageItself)) return true;
    level = errors.flatMap((candidate) => [
      candidate.cause,
      ...(Array.isArray(candidate.errors) ? candidate.errors : []),
    ]);
  }
  return false;
}

/**
 * What a client is told while the engine cannot connect: which store, never
 * its error text (a driver's message names hosts, ports and settings; it goes
 * to the log and `/ready`).
 */
export function connectionFailureDetail(error: unknown): string {
  const name = (error as ErrorFields | undefined)?.name;
  if (typeof name === 'string' && name.startsWith('Chroma'))
    return 'the vector index (Chroma) cannot be reached yet';
  if (name === 'Neo4jError') return 'the knowledge graph (Neo4j) cannot be reached yet';
  if (name === 'SqliteError') return 'the embedded index files cannot be opened yet';
  return 'the vector index or the knowledge graph cannot be reached yet';
}
