import { HTTP_ERRORS, problemFactory, type ErrorCatalogueEntry } from '@docuthinker/runtime';
import { DOCUMENT_ERROR_HTTP_STATUS, DOCUMENT_ERROR_TITLES } from '@docuthinker/documents';

/** Every error code the backend answers with. Codes are stable: clients match on them. */
export const BACKEND_ERRORS = {
  ...HTTP_ERRORS,
  DT_ERR_STARTING: { status: 503, title: 'The service is starting' },

  DT_ERR_UNAUTHENTICATED: { status: 401, title: 'A valid access token is required' },
  DT_ERR_INVALID_CREDENTIALS: { status: 401, title: 'Wrong email or password' },
  DT_ERR_EMAIL_TAKEN: { status: 409, title: 'An account with this email already exists' },
  DT_ERR_CURRENT_PASSWORD_WRONG: { status: 403, title: 'The current password is wrong' },
  DT_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },

  DT_ERR_DOCUMENT_NOT_FOUND: { status: 404, title: 'No such document' },
  DT_ERR_CHAT_SESSION_NOT_FOUND: { status: 404, title: 'No such chat session' },
  DT_ERR_DOCUMENT_NOT_INDEXED: {
    status: 409,
    title: 'The document is not indexed for chat yet',
  },
  DT_ERR_INVALID_CURSOR: { status: 400, title: 'The pagination cursor is not valid' },
  DT_ERR_UNSUPPORTED_TYPE: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_UNSUPPORTED_TYPE,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_UNSUPPORTED_TYPE,
  },
  DT_ERR_FILE_TOO_LARGE: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_FILE_TOO_LARGE,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_FILE_TOO_LARGE,
  },
  DT_ERR_CORRUPT_FILE: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_CORRUPT_FILE,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_CORRUPT_FILE,
  },
  DT_ERR_ENCRYPTED_FILE: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_ENCRYPTED_FILE,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_ENCRYPTED_FILE,
  },
  DT_ERR_EMPTY_DOCUMENT: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_EMPTY_DOCUMENT,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_EMPTY_DOCUMENT,
  },
  DT_ERR_EXTRACTION_TIMEOUT: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_EXTRACTION_TIMEOUT,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_EXTRACTION_TIMEOUT,
  },
  DT_ERR_EXTRACTION_MEMORY: {
    status: DOCUMENT_ERROR_HTTP_STATUS.DT_ERR_EXTRACTION_MEMORY,
    title: DOCUMENT_ERROR_TITLES.DT_ERR_EXTRACTION_MEMORY,
  },

  DT_ERR_BUSY: { status: 503, title: 'Too many uploads are being read right now' },
  DT_ERR_STORAGE_UNAVAILABLE: { status: 503, title: 'Document storage is unavailable' },
  DT_ERR_AI_UNAVAILABLE: { status: 503, title: 'The AI service is unavailable' },
  DT_ERR_AI_REJECTED: { status: 502, title: 'The AI service rejected the request' },
  DT_ERR_ANSWER_INTERRUPTED: {
    status: 502,
    title: 'The answer broke off before it was complete',
  },
  DT_ERR_FEATURE_DISABLED: {
    status: 501,
    title: 'This deployment has switched off what this AI feature needs',
  },
  DT_ERR_TASK_UNSUPPORTED: {
    status: 501,
    title: 'No configured AI provider can run this task',
  },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export const problem = problemFactory(BACKEND_ERRORS);
