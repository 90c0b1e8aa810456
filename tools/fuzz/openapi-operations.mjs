// The routes a service publishes in its own /openapi.json, flattened into
// what the fuzzer needs. Reading the live document (not a list kept here)
// means a route added to a service is fuzzed without touching this suite.
import { callJson } from './raw-request.mjs';

/**
 * Routes a service may serve without listing them in its document (the API
 * docs pages are /api-docs on the backend, /api-docs and /docs on the
 * gateway): each is fuzzed on the services that serve it, not 404 to a GET.
 */
const META_PATHS = ['/health', '/ready', '/metrics', '/openapi.json', '/api-docs', '/docs'];

function resolve(document, schema) {
  if (schema && typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document, document.components?.schemas?.[name]);
  }
  return schema ?? {};
}

/**
 * @returns {Promise<Array<{ method: string, path: string, pathParams: any[],
 *   queryParams: any[], bodies: Record<string, any>, authenticated: boolean }>>}
 */
export async function readOperations(baseUrl) {
  const answer = await callJson(baseUrl, 'GET', '/openapi.json');
  if (answer.status !== 200 || !answer.json?.paths) {
    throw new Error(`${baseUrl}/openapi.json answered ${answer.status}`);
  }
  const document = answer.json;
  const operations = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(
        (parameter) => ({ ...parameter, schema: resolve(document, parameter.schema) }),
      );
      const bodies = Object.fromEntries(
        Object.entries(operation.requestBody?.content ?? {}).map(([type, media]) => [
          type,
          resolve(document, media.schema),
        ]),
      );
      const security = operation.security ?? document.security ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === 'path'),
        queryParams: parameters.filter((parameter) => parameter.in === 'query'),
        bodies,
        authenticated: security.some((requirement) => Object.keys(requirement).length > 0),
      });
    }
  }
  for (const path of META_PATHS) {
    if (operations.some((operation) => operation.path === path && operation.method === 'GET')) {
      continue;
    }
    if ((await callJson(baseUrl, 'GET', path)).status !== 404) {
      operations.push({
        method: 'GET',
        path,
        pathParams: [],
        queryParams: [],
        bodies: {},
        authenticated: false,
      });
    }
  }
  return operations;
}
