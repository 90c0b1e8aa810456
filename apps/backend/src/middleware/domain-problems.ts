import { ExtractionBusyError, isDocumentError } from '@docuthinker/documents';
import type { ProblemError } from '@docuthinker/runtime';
import { EmailTakenError, InvalidCursorError, isDataStoreOutage } from '@docuthinker/stores';
import { problem } from '../errors';
import {
  AnswerInterruptedError,
  GatewayRejectedError,
  GatewayUnavailableError,
} from '../gateway/gateway-errors';
import {
  AccountGoneError,
  DocumentNotIndexedError,
  FileStoreUnavailableError,
  InvalidCredentialsError,
  InapplicableTaskOptionError,
  MissingTaskOptionError,
  NotFoundError,
  RateLimitedError,
  WrongCurrentPasswordError,
} from '../services/service-errors';

/** What a client is told when the file store fails, by what it was doing. */
const STORAGE_UNAVAILABLE_DETAIL = {
  write: 'Nothing was stored; send the upload again shortly.',
  read: 'The original could not be read just now; ask for it again shortly.',
  erase: 'Not everything could be removed yet; send the same request again shortly.',
} as const;

/** What an upload the file store refused is told: a store's outage is seldom over sooner. */
const FILE_STORE_RETRY_AFTER_SECONDS = 10;

/** A database failing over elects a primary within seconds (MongoDB's default election timeout is 10 s). */
const DATA_STORE_RETRY_AFTER_SECONDS = 5;

/** A stored upload's index job starts at once and takes seconds; longer only while the gateway is down. */
const INDEXING_RETRY_AFTER_SECONDS = 5;

/** Maps what the services and stores report to the catalogued problem, or undefined for a bug. */
export function problemFromDomainError(error: unknown): ProblemError | undefined {
  if (error instanceof NotFoundError) {
    return error.what === 'chat-session'
      ? problem('DT_ERR_CHAT_SESSION_NOT_FOUND')
      : problem('DT_ERR_DOCUMENT_NOT_FOUND');
  }
  if (error instanceof DocumentNotIndexedError) {
    return error.indexStatus === 'pending'
      ? problem(
          'DT_ERR_DOCUMENT_NOT_INDEXED',
          'The document is still being indexed; ask again in a few seconds.',
          { headers: { 'Retry-After': String(INDEXING_RETRY_AFTER_SECONDS) } },
        )
      : problem(
          'DT_ERR_DOCUMENT_NOT_INDEXED',
          'The document could not be indexed, so chat cannot search it; upload it again.',
        );
  }
  if (error instanceof AccountGoneError) {
    return problem('DT_ERR_UNAUTHENTICATED', 'The account was deleted while this request ran.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  if (error instanceof InvalidCredentialsError) return problem('DT_ERR_INVALID_CREDENTIALS');
  if (error instanceof WrongCurrentPasswordError) return problem('DT_ERR_CURRENT_PASSWORD_WRONG');
  if (error instanceof RateLimitedError) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return problem('DT_ERR_RATE_LIMITED', `Try again in ${seconds} seconds.`, {
      headers: { 'Retry-After': String(seconds) },
    });
  }
  if (error instanceof InapplicableTaskOptionError) {
    return problem('DT_ERR_VALIDATION', error.message, {
      errors: error.options.map((option) => ({
        path: option,
        message: `does not apply to ${error.task}`,
      })),
    });
  }
  if (error instanceof MissingTaskOptionError) {
    return problem('DT_ERR_VALIDATION', error.message, {
      errors: [{ path: error.option, message: `is required for ${error.task}` }],
    });
  }
  if (error instanceof EmailTakenError) return problem('DT_ERR_EMAIL_TAKEN');
  if (error instanceof InvalidCursorError) return problem('DT_ERR_INVALID_CURSOR');
  if (isDocumentError(error)) return problem(error.code, error.message);
  if (error instanceof ExtractionBusyError) {
    return problem('DT_ERR_BUSY', 'Nothing was stored; send the upload again shortly.', {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    });
  }
  if (error instanceof FileStoreUnavailableError) {
    return problem('DT_ERR_STORAGE_UNAVAILABLE', STORAGE_UNAVAILABLE_DETAIL[error.operation], {
      headers: { 'Retry-After': String(FILE_STORE_RETRY_AFTER_SECONDS) },
    });
  }
  if (isDataStoreOutage(error)) {
    return problem(
      'DT_ERR_STORAGE_UNAVAILABLE',
      'The database cannot be reached for now; send the same request again shortly.',
      { headers: { 'Retry-After': String(DATA_STORE_RETRY_AFTER_SECONDS) } },
    );
  }
  if (error instanceof GatewayUnavailableError) {
    return problem('DT_ERR_AI_UNAVAILABLE', 'Try again shortly.', {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    });
  }
  if (error instanceof AnswerInterruptedError) {
    return problem(
      'DT_ERR_ANSWER_INTERRUPTED',
      'The reply sent so far is incomplete and was not kept; ask again.',
    );
  }
  if (error instanceof GatewayRejectedError) {
    // The only detail of the gateway's written for users: the providers that
    // could run the task. Others can name its configuration (they are logged).
    if (error.status === 501) return problem('DT_ERR_TASK_UNSUPPORTED', error.detail);
    if (error.code === 'DT_ERR_INDEX_DISABLED') {
      return problem(
        'DT_ERR_FEATURE_DISABLED',
        'Searching and asking across documents is switched off in this deployment.',
      );
    }
    return problem('DT_ERR_AI_REJECTED', 'The AI service could not process this request.');
  }
  return undefined;
}
