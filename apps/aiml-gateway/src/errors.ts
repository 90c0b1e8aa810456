import { HTTP_ERRORS, problemFactory, type ErrorCatalogueEntry } from '@docuthinker/runtime';

/** Every error code the gateway answers with. Codes are stable: clients match on them. */
export const GATEWAY_ERRORS = {
  ...HTTP_ERRORS,
  DT_ERR_URI_TOO_LONG: { status: 414, title: 'A path parameter is too long' },
  DT_ERR_UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  DT_ERR_OWNER_MISMATCH: {
    status: 403,
    title: 'A user token cannot act for another owner',
  },
  DT_ERR_TASK_NOT_FOUND: { status: 404, title: 'No such AI task' },
  DT_ERR_RATE_LIMITED: {
    status: 429,
    title: "Too many AI calls for this user's minute",
  },
  DT_ERR_INDEX_DISABLED: { status: 409, title: 'The index this operation needs is disabled' },
  DT_ERR_OWNER_ERASED: {
    status: 409,
    title: "The owner's indexes were erased while the document was being indexed",
  },
  DT_ERR_TEXT_TOO_COMPLEX: {
    status: 422,
    title: 'The text needs more memory than the offline engine may use',
  },
  DT_ERR_EMBEDDING_MISMATCH: {
    status: 500,
    title: 'The vector index was built with another embedding model',
  },
  DT_ERR_TASK_UNSUPPORTED: {
    status: 501,
    title: 'No configured provider can perform this task',
  },
  DT_ERR_UPSTREAM_REJECTED: {
    status: 502,
    title: 'The AI/ML upstream answered with something the gateway cannot pass on',
  },
  DT_ERR_STORE_REJECTED: {
    status: 502,
    title: 'The vector index refused to store the document',
  },
  DT_ERR_PROVIDERS_UNAVAILABLE: { status: 503, title: 'No AI provider answered' },
  DT_ERR_PROVIDERS_REFUSED: {
    status: 502,
    title: 'Every AI provider asked refused the request',
  },
  /** Only in a chat stream's `error` event: the status had gone out with the reply's start. */
  DT_ERR_ANSWER_INTERRUPTED: {
    status: 502,
    title: 'The AI provider stopped before its reply was complete',
  },
  DT_ERR_ENGINE_UNAVAILABLE: {
    status: 503,
    title: 'The vector index or knowledge graph cannot be reached yet',
  },
  DT_ERR_SHUTTING_DOWN: { status: 503, title: 'The service is shutting down' },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export const problem = problemFactory(GATEWAY_ERRORS);
