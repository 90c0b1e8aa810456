import { problemFactory, type ErrorCatalogueEntry } from '@docuthinker/runtime';

/** Every error code the gateway answers with. Codes are stable: clients match on them. */
export const GATEWAY_ERRORS = {
  DT_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  DT_ERR_MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  DT_ERR_VALIDATION: { status: 400, title: 'The request is invalid' },
  DT_ERR_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  DT_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  DT_ERR_SHUTTING_DOWN: { status: 503, title: 'The service is shutting down' },
  DT_ERR_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export const problem = problemFactory(GATEWAY_ERRORS);
