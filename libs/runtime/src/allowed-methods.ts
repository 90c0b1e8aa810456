/** How a framework matches a request's path to a route's. */
export interface PathMatching {
  /** Express ignores case; Fastify, by default, does not. */
  readonly caseSensitive: boolean;
  /** Express serves `/a/` at the route `/a`; Fastify, by default, does not. */
  readonly trailingSlash: boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A route's path as a pattern: a segment `{name}` (OpenAPI) or `:name`
 * (Express, Fastify) is any one segment, a last segment `*` anything below.
 */
export function routePathPattern(path: string, matching: PathMatching): RegExp {
  const segments = path.split('/').map((segment, index, all) => {
    if (/^\{\w+\}$|^:\w+$/.test(segment)) return '[^/]+';
    if (segment === '*' && index === all.length - 1) return '.*';
    return escapeRegExp(segment);
  });
  return new RegExp(
    `^${segments.join('/')}${matching.trailingSlash ? '/?' : ''}$`,
    matching.caseSensitive ? '' : 'i',
  );
}

/**
 * The methods a service serves each path with, for a request whose method
 * no route takes: RFC 9110 answers it 405 with an Allow header naming them,
 * where a plain 404 told a client with the wrong method that the path does
 * not exist (found in review).
 */
export class AllowedMethods {
  private readonly routes: Array<{ readonly method: string; readonly pattern: RegExp }> = [];

  constructor(private readonly matching: PathMatching) {}

  add(methods: string | readonly string[], path: string): void {
    // A route for every path (CORS's `OPTIONS *` preflight) serves no
    // resource: counted, every unknown path became 405 (found by a test).
    if (path === '*' || path === '/*') return;
    const pattern = routePathPattern(path, this.matching);
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      this.routes.push({ method: method.toUpperCase(), pattern });
    }
  }

  /**
   * What a request no route took is answered, as `problem` arguments: 405
   * with Allow when the path is served with other methods, else 404.
   */
  refusal(
    method: string,
    path: string,
  ): {
    code: 'DT_ERR_METHOD_NOT_ALLOWED' | 'DT_ERR_ROUTE_NOT_FOUND';
    detail: string;
    extras?: { headers: Record<string, string> };
  } {
    const methods = this.of(path);
    if (methods.length === 0 || methods.includes(method)) {
      return { code: 'DT_ERR_ROUTE_NOT_FOUND', detail: `${method} ${path} is not a route` };
    }
    const allow = methods.join(', ');
    return {
      code: 'DT_ERR_METHOD_NOT_ALLOWED',
      detail: `${path} takes ${allow}, not ${method}.`,
      extras: { headers: { Allow: allow } },
    };
  }

  /** The methods some route serves `path` with (HEAD wherever GET), in a stable order; none when no route has the path. */
  of(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) methods.add(route.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}
