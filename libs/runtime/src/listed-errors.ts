/** One field a request got wrong, as problem+json's `errors` lists it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Enough to fix a request by. A body of 200,000 unknown keys made a 10 MB
 * problem (three times the request) that took seconds of CPU to build.
 */
export const MAX_LISTED_ERRORS = 20;

/** The first MAX_LISTED_ERRORS of `errors`, then one at `restPath` saying how many more. */
export function listedErrors(errors: readonly FieldError[], restPath: string): FieldError[] {
  if (errors.length <= MAX_LISTED_ERRORS) return [...errors];
  return [
    ...errors.slice(0, MAX_LISTED_ERRORS),
    { path: restPath, message: `and ${errors.length - MAX_LISTED_ERRORS} more problems` },
  ];
}
