import { AllowedMethods } from '@docuthinker/runtime';
import { API_OPERATIONS } from './api-operations';

/** Paths served beside the API's operations (not in /openapi.json), all with GET. */
const META_PATHS = ['/health', '/ready', '/metrics', '/openapi.json', '/api-docs', '/api-docs/*'];

/**
 * The routes that do not serve their path with a trailing slash
 * (exactPathOnly): a slip of `DELETE /api/documents/` must not erase them all.
 */
const EXACT_PATH_ONLY = new Set([
  'DELETE /api/me',
  'GET /api/chat/sessions',
  'DELETE /api/documents',
]);

/**
 * The methods each path of the backend is served with, for the 405 of a
 * request no route took (problem-responses.ts). Matched as Express matches:
 * any case, and with a trailing slash but on the routes of EXACT_PATH_ONLY.
 */
export function servedMethods(): AllowedMethods {
  const allowed = new AllowedMethods({ caseSensitive: false, trailingSlash: false });
  const add = (method: string, path: string) => {
    allowed.add(method, path);
    if (!EXACT_PATH_ONLY.has(`${method.toUpperCase()} ${path}`)) allowed.add(method, `${path}/`);
  };
  for (const operation of API_OPERATIONS) add(operation.method, operation.path);
  for (const path of META_PATHS) add('GET', path);
  return allowed;
}
