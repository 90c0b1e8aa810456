import type { DocumentLimits } from './document-limits';

/** Stable error codes; the backend's problem+json `code` uses them verbatim. */
export const DOCUMENT_ERROR_CODES = [
  'DT_ERR_UNSUPPORTED_TYPE',
  'DT_ERR_FILE_TOO_LARGE',
  'DT_ERR_CORRUPT_FILE',
  'DT_ERR_ENCRYPTED_FILE',
  'DT_ERR_EMPTY_DOCUMENT',
  'DT_ERR_EXTRACTION_TIMEOUT',
  'DT_ERR_EXTRACTION_MEMORY',
] as const;

export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];

/** The HTTP status each code maps to, so every route answers a bad upload the same way. */
export const DOCUMENT_ERROR_HTTP_STATUS: Readonly<Record<DocumentErrorCode, number>> = {
  DT_ERR_UNSUPPORTED_TYPE: 415,
  DT_ERR_FILE_TOO_LARGE: 413,
  DT_ERR_CORRUPT_FILE: 422,
  DT_ERR_ENCRYPTED_FILE: 422,
  DT_ERR_EMPTY_DOCUMENT: 422,
  // The file, not the server, is at fault: a parser that cannot finish within
  // the bound is refused like a damaged file, and retrying it cannot help.
  DT_ERR_EXTRACTION_TIMEOUT: 422,
  // Likewise a file whose parse outgrows the reader's memory bound.
  DT_ERR_EXTRACTION_MEMORY: 422,
};

/** A short, fixed summary per code, for the problem+json `title`; the message is the `detail`. */
export const DOCUMENT_ERROR_TITLES: Readonly<Record<DocumentErrorCode, string>> = {
  DT_ERR_UNSUPPORTED_TYPE: 'Unsupported document type',
  DT_ERR_FILE_TOO_LARGE: 'Document too large',
  DT_ERR_CORRUPT_FILE: 'Damaged document',
  DT_ERR_ENCRYPTED_FILE: 'Password-protected document',
  DT_ERR_EMPTY_DOCUMENT: 'Empty document',
  DT_ERR_EXTRACTION_TIMEOUT: 'Document takes too long to read',
  DT_ERR_EXTRACTION_MEMORY: 'Document needs too much memory to read',
};

export interface DocumentErrorOptions {
  /** Which limit was exceeded, for DT_ERR_FILE_TOO_LARGE. */
  limit?: keyof DocumentLimits;
  /** The library error behind it, for server logs only; never sent to clients. */
  cause?: unknown;
}

/**
 * An upload that cannot become a document. The message is written for the
 * person who uploaded the file: it says what is wrong and what would work,
 * and never quotes the file's contents or its name.
 */
export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  readonly status: number;
  readonly limit?: keyof DocumentLimits;

  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    options: DocumentErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = DOCUMENT_ERROR_HTTP_STATUS[code];
    if (options.limit !== undefined) this.limit = options.limit;
  }
}

export function isDocumentError(value: unknown): value is DocumentError {
  return value instanceof DocumentError;
}

/**
 * The refusal of a document whose text is longer than `maxTextChars`, shared
 * by the check on every format's text and the PDF reader that stops early.
 */
export function textTooLongError(maxTextChars: number): DocumentError {
  return new DocumentError(
    'DT_ERR_FILE_TOO_LARGE',
    `The document's text is longer than ${maxTextChars.toLocaleString('en-US')} characters, the most that can be indexed and analysed.`,
    { limit: 'maxTextChars' },
  );
}
