import { AllowedMethods } from '@docuthinker/runtime';
import { API_OPERATIONS } from './api-operations';

/** Paths served beside the API's operations (not in /openapi.json), all with GET. */
const META_PATHS = ['/health', '/ready', '/metrics', '/openapi.json', '/api-docs', '/api-docs/*'];

/**
 * The methods each path of the backend is served with, for the 405 of a
 * request no route took (problem-responses.ts). Matched as Express matches
 * (any case); a path with a trailing slash has no method to offer.
 */
export function servedMethods(): AllowedMethods {
  const allowed = new AllowedMethods({ caseSensitive: false, trailingSlash: false });
  for (const operation of API_OPERATIONS) allowed.add(operation.method, operation.path);
  for (const path of META_PATHS) allowed.add('GET', path);
  return allowed;
}
