/**
 * Outcomes the business logic reports without knowing about HTTP; the routes
 * map each to its catalogued problem.
 */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(readonly what: 'document' | 'chat-session' | 'user') {
    super(`no such ${what}`);
  }
}

/**
 * Chat found nothing of the document to search: it is not indexed yet
 * (`pending`: its outbox job has not run) or could not be (`failed`).
 * Answering "none of the passages answers" would blame the document.
 */
export class DocumentNotIndexedError extends Error {
  override readonly name = 'DocumentNotIndexedError';
  constructor(readonly indexStatus: 'pending' | 'failed') {
    super(`the document is not indexed (${indexStatus})`);
  }
}

export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
  constructor() {
    super('wrong email or password');
  }
}

export class WrongCurrentPasswordError extends Error {
  override readonly name = 'WrongCurrentPasswordError';
  constructor() {
    super('the current password is wrong');
  }
}

export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super('too many attempts');
  }
}

export class MissingTaskOptionError extends Error {
  override readonly name = 'MissingTaskOptionError';
  constructor(
    readonly task: string,
    readonly option: string,
  ) {
    super(`the ${task} task needs "${option}"`);
  }
}

/** Options the task does not read: refused rather than ignored. */
export class InapplicableTaskOptionError extends Error {
  override readonly name = 'InapplicableTaskOptionError';
  constructor(
    readonly task: string,
    readonly options: readonly string[],
    readonly taken: readonly string[],
  ) {
    super(`${task} takes ${taken.length > 0 ? taken.join(', ') : 'no options'}`);
  }
}

/** The account was erased while one of its requests ran; what the request saved is removed again. */
export class AccountGoneError extends Error {
  override readonly name = 'AccountGoneError';
  constructor() {
    super('the account was deleted while this request ran');
  }
}

/** The file store failed or did not answer (see @docuthinker/stores): 503 with Retry-After. */
export { FileStoreUnavailableError } from '@docuthinker/stores';
