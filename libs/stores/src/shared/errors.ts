/** Another account already uses this email (compared case-insensitively). */
export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
  constructor() {
    super('an account with this email already exists');
  }
}

/** A pagination cursor that this store did not produce, or that was altered. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('the pagination cursor is not valid');
  }
}

/** A file key that could escape its storage root or is not in the safe alphabet. */
export class UnsafeFileKeyError extends Error {
  override readonly name = 'UnsafeFileKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`unsafe file key: ${reason}`);
  }
}

/** A record id was reused: the store keeps ids unique across owners. */
export class DuplicateIdError extends Error {
  override readonly name = 'DuplicateIdError';
  constructor(readonly id: string) {
    super(`a record with id ${id} already exists`);
  }
}

/**
 * The file store (S3) failed or did not answer in time: an outage, not the
 * request's fault. Raised where a request cannot go on without it (an
 * upload's write, an erasure's removal of the owner's files); the request
 * can be made again once the store is back, and loses nothing meanwhile.
 */
const FAILED_OPERATION = {
  write: 'take the file',
  read: 'give the file back',
  erase: "remove the owner's files",
} as const;

export class FileStoreUnavailableError extends Error {
  override readonly name = 'FileStoreUnavailableError';
  constructor(
    readonly operation: 'write' | 'read' | 'erase',
    override readonly cause: unknown,
  ) {
    super(
      `the file store did not ${FAILED_OPERATION[operation]}: ${(cause as Error)?.message ?? String(cause)}`,
    );
  }
}
