import type { AiTaskName } from './tasks/task-types';

/** A task, or an option of it, that the chosen providers cannot perform. */
export class TaskUnsupportedError extends Error {
  override readonly name = 'TaskUnsupportedError';
  readonly code = 'DT_ERR_TASK_UNSUPPORTED';
  constructor(
    readonly task: AiTaskName | 'answer',
    readonly reason: string,
    /** Providers that can perform it when configured. */
    readonly capableProviders: readonly string[],
  ) {
    super(
      `${task}: ${reason}${capableProviders.length > 0 ? ` (supported by: ${capableProviders.join(', ')})` : ''}`,
    );
  }
}

/** The embedder does not match the model or dimension recorded with an index. */
export class EmbeddingMismatchError extends Error {
  override readonly name = 'EmbeddingMismatchError';
  readonly code = 'DT_ERR_EMBEDDING_MISMATCH';
  constructor(
    readonly store: string,
    readonly recorded: { model: string; dimensions: number },
    readonly configured: { model: string; dimensions: number },
  ) {
    super(
      `${store} holds vectors of ${recorded.model} (${recorded.dimensions} dimensions) but the configured embedder is ` +
        `${configured.model} (${configured.dimensions} dimensions); re-index into a new collection or configure the recorded model`,
    );
  }
}

/** An operation needs an index that configuration switched off. */
export class IndexDisabledError extends Error {
  override readonly name = 'IndexDisabledError';
  readonly code = 'DT_ERR_INDEX_DISABLED';
  constructor(readonly index: 'vector' | 'graph') {
    super(
      `the ${index} index is disabled (DOCUTHINKER_SYNC_${index === 'vector' ? 'VECTOR' : 'GRAPH'}=false)`,
    );
  }
}

/** A request the engine refuses before doing any work; routes map it to 400. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly code = 'DT_ERR_VALIDATION';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** The task name is not one the engine knows; routes map it to 404. */
export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  readonly code = 'DT_ERR_TASK_NOT_FOUND';
  constructor(readonly task: string) {
    super(`unknown task "${task}"`);
  }
}

/**
 * The vector index refused a write as invalid (Chroma answered 4xx). Not an
 * outage: the same write would be refused again, so it is not retried.
 */
export class VectorWriteRejectedError extends Error {
  override readonly name = 'VectorWriteRejectedError';
  readonly code = 'DT_ERR_STORE_REJECTED';
  constructor(
    readonly store: string,
    readonly detail: string,
  ) {
    super(`${store} refused to store the document's chunks: ${detail}`);
  }
}

/**
 * The offline engine's thread ran out of its heap on this text (a 2 M-character
 * text of half a million one-word sentences, found in review). The text is
 * the cause, not the gateway: the same request would fail again, so routes
 * answer 422, never 500, and the backend does not retry it.
 */
export class OfflineTextTooLargeError extends Error {
  override readonly name = 'OfflineTextTooLargeError';
  readonly code = 'DT_ERR_TEXT_TOO_COMPLEX';
  constructor(
    readonly work: string,
    readonly heapLimitMb: number,
    options?: { cause: unknown },
  ) {
    super(
      `the offline engine needed more than its ${heapLimitMb} MB of memory for ${work} on this text (very many very short sentences or words); send a shorter text`,
      options,
    );
  }
}

/**
 * The owner's indexes were erased while this document was being written: the
 * write undid what it had stored and wrote nothing more. Answered 409, so
 * the caller does not retry it (the backend's outbox marks the job failed).
 */
export class OwnerErasedError extends Error {
  override readonly name = 'OwnerErasedError';
  readonly code = 'DT_ERR_OWNER_ERASED';
  constructor(
    readonly ownerId: string,
    readonly documentId: string,
  ) {
    super(
      `the owner's indexes were erased while document ${documentId} was being indexed; nothing of it was kept`,
    );
  }
}
