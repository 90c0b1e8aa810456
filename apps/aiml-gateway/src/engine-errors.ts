import {
  EmbeddingMismatchError,
  IndexDisabledError,
  InvalidInputError,
  ProvidersExhaustedError,
  TaskUnsupportedError,
  UnknownTaskError,
} from '@docuthinker/ai-engine';
import type { ProblemError } from '@docuthinker/runtime';
import { problem } from './errors';

/**
 * The AI engine's domain errors as problems. Anything else it throws is an
 * internal error and answers 500 without detail.
 */
export function problemFromEngineError(error: unknown): ProblemError | undefined {
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
  if (error instanceof ProvidersExhaustedError) {
    // Provider error texts can quote a provider's response body; outcomes are enough for a client.
    const outcomes = error.attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}`);
    return problem('DT_ERR_PROVIDERS_UNAVAILABLE', `${error.task}: ${outcomes.join(', ')}`, {
      headers: { 'retry-after': '5' },
    });
  }
  return undefined;
}
