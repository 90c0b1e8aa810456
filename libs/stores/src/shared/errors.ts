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
