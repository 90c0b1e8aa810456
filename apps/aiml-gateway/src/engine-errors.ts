import {
  EmbeddingMismatchError,
  IndexDisabledError,
  InvalidInputError,
  ProvidersExhaustedError,
  TaskUnsupportedError,
  UnknownTaskError,
  VectorWriteRejectedError,
} from '@docuthinker/ai-engine';
import type { ProblemError } from '@docuthinker/runtime';
import { problem } from './errors';

/** Seconds a caller should wait before retrying while a store is out of reach. */
const STORE_RETRY_AFTER_SECONDS = '5';

/**
 * True when a store the engine was connected to has gone away or failed in a
 * way that may pass (Chroma answering 5xx or 429): Chroma's client and the
 * Neo4j driver say so with their own error types. They are matched by name
 * and code because both drivers load only when configured.
 */
function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return (
    name === 'ChromaConnectionError' ||
    name === 'ChromaServerError' ||
    (name === 'Neo4jError' && (code === 'ServiceUnavailable' || code === 'SessionExpired'))
  );
}

/**
 * The AI engine's domain errors as problems. Anything else it throws is an
 * internal error and answers 500 without detail.
 */
export function problemFromEngineError(error: unknown): ProblemError | undefined {
  // A store outage is the caller's cue to retry later (the backend's outbox
  // does), not a bug: 503 with Retry-After, as while the engine first connects.
  if (isStoreUnavailable(error)) {
    return problem('DT_ERR_ENGINE_UNAVAILABLE', (error as Error).message, {
      headers: { 'retry-after': STORE_RETRY_AFTER_SECONDS },
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
  if (error instanceof EmbeddingMismatchError) {
    return problem('DT_ERR_EMBEDDING_MISMATCH', error.message);
  }
  // Chroma refused the records (4xx): the same write would fail again, so
  // not 503; the message names the store's reason.
  if (error instanceof VectorWriteRejectedError)
    return problem('DT_ERR_STORE_REJECTED', error.message);
  if (error instanceof ProvidersExhaustedError) {
    // Provider error texts can quote a provider's response body; outcomes are enough for a client.
    const outcomes = error.attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}`);
    return problem('DT_ERR_PROVIDERS_UNAVAILABLE', `${error.task}: ${outcomes.join(', ')}`, {
      headers: { 'retry-after': '5' },
    });
  }
  return undefined;
}
