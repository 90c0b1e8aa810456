import { TaskCancelledError } from 'cockatiel';
import {
  AnswerInterruptedError,
  EmbeddingMismatchError,
  IndexDisabledError,
  OfflineTextTooLargeError,
  OwnerErasedError,
  InvalidInputError,
  ProviderError,
  ProvidersExhaustedError,
  TaskUnsupportedError,
  UnknownTaskError,
  VectorWriteRejectedError,
} from '@docuthinker/ai-engine';
import { SharedLockBusyError, type ProblemError } from '@docuthinker/runtime';
import { problem } from './errors';

const SHARED_LOCK_BUSY = new SharedLockBusyError(0).name;

/** Seconds a caller should wait before retrying while a store is out of reach. */
const STORE_RETRY_AFTER_SECONDS = '5';
/** An open circuit's own remaining time is passed on up to this (the engine's is 10 s). */
const MAX_STORE_RETRY_AFTER_SECONDS = 60;
/** Seconds a caller should wait before retrying when no AI provider answered, unless one said. */
const PROVIDER_RETRY_AFTER_SECONDS = 5;
/** A provider's own Retry-After is passed on up to this; a longer one is a quota, not a pause. */
const MAX_PROVIDER_RETRY_AFTER_SECONDS = 60;

/**
 * True when a store the engine was connected to has gone away or failed in a
 * way that may pass (Chroma answering 5xx or 429): Chroma's client and the
 * Neo4j driver say so with their own error types. They are matched by name
 * and code because both drivers load only when configured. The driver marks
 * every error a later attempt may get past `retryable` (no server, a
 * deadlock or lock timeout among writes to shared entities): it reaches the
 * route only once the driver's own retries have run out.
 */
function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, retryable } = error as {
    name?: unknown;
    code?: unknown;
    retryable?: unknown;
  };
  return (
    name === 'ChromaConnectionError' ||
    name === 'ChromaServerError' ||
    (name === 'Neo4jError' &&
      (retryable === true ||
        code === 'ServiceUnavailable' ||
        code === 'SessionExpired' ||
        // A read past its transaction timeout (the graph adapter sets one):
        // the graph is too busy or too large for now, no fault of the request.
        (typeof code === 'string' &&
          code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut'))))
  );
}

/**
 * What the client is told of a store outage: which store, not its message.
 * A store's error text is its own internals (Chroma's query planner,
 * Neo4j's cluster state): for the operator's log, not for clients.
 */
function storeOutageDetail(error: unknown): string {
  return (error as Error).name.startsWith('Chroma')
    ? 'the vector index (Chroma) is unreachable or failing'
    : 'the knowledge graph (Neo4j) is unreachable or busy';
}

/**
 * Retry-After for a store outage. While Chroma's circuit is open the engine
 * fails its calls at once and says for how long (`retryAfterMs`, see the
 * engine's chroma-circuit.ts): a retry before then would fail the same way.
 * Otherwise nothing tells when the store is back, and the default stands.
 */
function storeRetryAfterSeconds(error: unknown): string {
  const { retryAfterMs } = error as { retryAfterMs?: unknown };
  if (typeof retryAfterMs !== 'number' || !(retryAfterMs > 0)) return STORE_RETRY_AFTER_SECONDS;
  return String(Math.min(MAX_STORE_RETRY_AFTER_SECONDS, Math.ceil(retryAfterMs / 1000)));
}

/** Retry-After for a provider failure: its own hint when it gave one, else the default. */
function providerRetryAfterSeconds(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs <= 0) return String(PROVIDER_RETRY_AFTER_SECONDS);
  return String(
    Math.min(MAX_PROVIDER_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(retryAfterMs / 1000))),
  );
}

/**
 * A provider failure outside the provider chain: the embedding of a document
 * or a query (the chain answers ProvidersExhaustedError). The detail names the
 * provider and how it failed; its error text may quote the provider's
 * response body, which a client is not shown.
 */
function problemFromProviderError(error: ProviderError): ProblemError {
  const how = `${error.provider}: ${error.kind}${error.status === undefined ? '' : ` (HTTP ${error.status})`}`;
  // It refused this request, answered nonsense or has no such model or
  // endpoint (404): the same request would meet the same answer, so no
  // Retry-After. Not the client's fault either: the request passed the
  // gateway's own validation.
  if (error.kind === 'rejected' || error.kind === 'malformed' || error.kind === 'misconfigured') {
    return problem(
      'DT_ERR_UPSTREAM_REJECTED',
      `the embedding provider refused the request, answered with something unusable or has no such model (${how})`,
    );
  }
  // Down, slow, rate limited, out of usable keys: may pass.
  return problem('DT_ERR_PROVIDERS_UNAVAILABLE', `embedding: ${how}`, {
    headers: { 'retry-after': providerRetryAfterSeconds(error.retryAfterMs) },
  });
}

/**
 * The AI engine's domain errors as problems. Anything else it throws is an
 * internal error and answers 500 without detail.
 */
export function problemFromEngineError(error: unknown): ProblemError | undefined {
  // A store outage is the caller's cue to retry later (the backend's outbox
  // does), not a bug: 503 with Retry-After, as while the engine first connects.
  if (isStoreUnavailable(error)) {
    return problem('DT_ERR_ENGINE_UNAVAILABLE', storeOutageDetail(error), {
      headers: { 'retry-after': storeRetryAfterSeconds(error) },
    });
  }
  // Another replica is still writing the same document: the write may be
  // retried once it is done (the backend's outbox does). Matched by name:
  // the lock is thrown from the Redis bundle (redis-module.js), which has a
  // class of its own (found in review: instanceof missed it, a 500).
  if ((error as Error | undefined)?.name === SHARED_LOCK_BUSY) {
    return problem(
      'DT_ERR_ENGINE_UNAVAILABLE',
      'another gateway replica is still writing this document',
      { headers: { 'retry-after': STORE_RETRY_AFTER_SECONDS } },
    );
  }
  if (error instanceof ProviderError) return problemFromProviderError(error);
  // A provider call that cockatiel's timeout gave up on, outside the chain.
  if (error instanceof TaskCancelledError) {
    return problem('DT_ERR_PROVIDERS_UNAVAILABLE', 'an AI provider did not answer in time', {
      headers: { 'retry-after': providerRetryAfterSeconds(undefined) },
    });
  }
  if (error instanceof UnknownTaskError) return problem('DT_ERR_TASK_NOT_FOUND', error.message);
  if (error instanceof InvalidInputError) {
    return problem('DT_ERR_VALIDATION', error.message, {
      errors: [{ path: error.field, message: error.message }],
    });
  }
  if (error instanceof TaskUnsupportedError)
    return problem('DT_ERR_TASK_UNSUPPORTED', error.message);
  if (error instanceof IndexDisabledError) return problem('DT_ERR_INDEX_DISABLED', error.message);
  if (error instanceof OwnerErasedError) return problem('DT_ERR_OWNER_ERASED', error.message);
  if (error instanceof OfflineTextTooLargeError) {
    return problem('DT_ERR_TEXT_TOO_COMPLEX', error.message);
  }
  if (error instanceof EmbeddingMismatchError) {
    return problem('DT_ERR_EMBEDDING_MISMATCH', error.message);
  }
  // Chroma refused the records (4xx): the same write would fail again, so
  // not 503. Its reason is Chroma's own text, for the log (the error
  // handler logs it), like every store's.
  if (error instanceof VectorWriteRejectedError) {
    return problem(
      'DT_ERR_STORE_REJECTED',
      "the vector index (Chroma) refused to store the document's chunks; the document was left as it was",
    );
  }
  if (error instanceof AnswerInterruptedError) {
    const { provider, outcome } = error.attempt;
    return problem(
      'DT_ERR_ANSWER_INTERRUPTED',
      `${provider}: ${outcome} after the reply began; the reply is incomplete`,
    );
  }
  if (error instanceof ProvidersExhaustedError) {
    // Provider error texts can quote a provider's response body; outcomes are enough for a client.
    const outcomes = error.attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}`);
    // The same request would be refused again: no Retry-After, and not an
    // outage (answered 503 with Retry-After, users were told to try again
    // shortly, and would be refused again).
    if (error.refusedByEvery) {
      return problem(
        'DT_ERR_PROVIDERS_REFUSED',
        `${error.task}: every provider asked refused this request (${outcomes.join(', ')})`,
      );
    }
    return problem('DT_ERR_PROVIDERS_UNAVAILABLE', `${error.task}: ${outcomes.join(', ')}`, {
      headers: { 'retry-after': providerRetryAfterSeconds(error.retryAfterMs) },
    });
  }
  return undefined;
}
