import type { ErrorCatalogueEntry } from './problem';

/**
 * The problems of HTTP itself, which every service answers alike: each
 * service's catalogue spreads these, so a client sees one code and title for
 * one mistake whichever service it called. Codes are stable: clients match
 * on them.
 */
export const HTTP_ERRORS = {
  DT_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  DT_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'The route does not take this method' },
  DT_ERR_MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  DT_ERR_VALIDATION: { status: 400, title: 'The request is invalid' },
  DT_ERR_MALFORMED_REQUEST: { status: 400, title: 'The request is not valid HTTP' },
  DT_ERR_REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  DT_ERR_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  DT_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  DT_ERR_EXPECTATION_FAILED: {
    status: 417,
    title: 'The Expect header names an expectation the service does not meet',
  },
  DT_ERR_HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  DT_ERR_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
