import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request says it carries a body: a length above 0, or chunks (an
 * empty chunked body counts too: it cannot be told before it is read). For
 * the checks that run before, or without, a body parser: the frameworks parse
 * none for a GET or HEAD, whatever the request carries.
 */
export function announcesBody(
  headers: Pick<IncomingHttpHeaders, 'content-length' | 'transfer-encoding'>,
): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}
