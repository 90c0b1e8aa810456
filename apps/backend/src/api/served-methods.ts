import { AllowedMethods } from '@docuthinker/runtime';
import { API_OPERATIONS } from './api-operations';

/** Paths served beside the API's operations (not in /openapi.json), all with GET. */
const META_PATHS = ['/health', '/ready', '/metrics', '/openapi.json', '/api-docs', '/api-docs/*'];

/**
 * The methods each path of the backend is served with, for the 405 of a
 * request no route took (problem-responses.ts). Matched as Express matches,
 * in any case, but without a trailing slash: some routes refuse their path
 * with one (exactPathOnly: `DELETE /api/documents/` must not erase them all),
 * and a method a path with a trailing slash is not served with stays 404.
 */
export function servedMethods(): AllowedMethods {
  const allowed = new AllowedMethods({ caseSensitive: false, trailingSlash: false });
  for (const operation of API_OPERATIONS) allowed.add(operation.method, operation.path);
  for (const path of META_PATHS) allowed.add('GET', path);
  return allowed;
}
