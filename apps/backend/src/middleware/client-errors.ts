import { problemClientErrors } from '@docuthinker/runtime';
import { problem } from '../errors';

const CLIENT_ERRORS: Record<string, Parameters<typeof problem>[0]> = {
  HPE_HEADER_OVERFLOW: 'DT_ERR_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'DT_ERR_REQUEST_TIMEOUT',
};

/**
 * The server's `clientError` listener: what Node's HTTP parser refuses before
 * Express sees it (headers over 16 KB, broken framing, a request timeout) is
 * answered in problem+json like every other error, not with Node's bare 431.
 */
export const backendClientErrors = problemClientErrors((code) =>
  problem(CLIENT_ERRORS[code ?? ''] ?? 'DT_ERR_MALFORMED_REQUEST'),
);
