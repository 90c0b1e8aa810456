/** An RFC 9457 problem document with the platform's stable error code. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  /** Field-level validation issues, when the request body or query was invalid. */
  errors?: { path: string; message: string }[];
}

export interface ErrorCatalogueEntry {
  status: number;
  title: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An error a route can throw to answer with a catalogued problem. Anything
 * else that is thrown becomes a 500 with no detail, so internals never leak.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extras: {
      errors?: ProblemDocument['errors'];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail ?? title);
  }

  toDocument(instance?: string, requestId?: string): ProblemDocument {
    return {
      type: `https://docuthinker.dev/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(requestId ? { requestId } : {}),
      ...(this.extras.errors ? { errors: this.extras.errors } : {}),
    };
  }
}

/**
 * Builds the `problem(code, detail?)` helper of an app from its catalogue,
 * so a code can only be used with the status and title it was catalogued with.
 */
export function problemFactory<C extends Record<string, ErrorCatalogueEntry>>(catalogue: C) {
  return (
    code: keyof C & string,
    detail?: string,
    extras?: ConstructorParameters<typeof ProblemError>[4],
  ): ProblemError => {
    const entry = catalogue[code];
    if (!entry) throw new Error(`unknown error code ${code}`);
    return new ProblemError(code, entry.status, entry.title, detail, extras);
  };
}
