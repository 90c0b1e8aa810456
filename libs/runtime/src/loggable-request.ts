/** A query parameter's name as APIs name them; anything else may be a user's text. */
const PARAMETER_NAME = /^[A-Za-z0-9_.[\]-]{1,40}$/;

/**
 * A request URL as a log line may show it: the path, and the names of its
 * query parameters without their values. The values are users' text (a
 * search's `q`, a question), which logs, kept for months and read by
 * operators, must not hold; the names still tell which form of a route
 * was asked for.
 */
export function loggableUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const names = url
    .slice(queryStart + 1)
    .split('&')
    .filter((parameter) => parameter !== '')
    .map((parameter) => {
      const name = parameter.split('=', 1)[0] as string;
      return PARAMETER_NAME.test(name) ? name : '…';
    });
  const path = url.slice(0, queryStart);
  return names.length === 0 ? path : `${path}?${names.join('&')}`;
}

interface RequestLike {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly url?: unknown;
  /** The request lines' route pattern (LoggedRequest). */
  readonly route?: unknown;
  /** Express's: `url` is relative to the router a request reached. */
  readonly originalUrl?: unknown;
}

/**
 * pino's serializer of every `req` a line carries: the request lines' own
 * `{id, method, url}`, a request logger's bindings, and Fastify's request
 * objects (its error lines), whose serializer ours replaces: it would write
 * the URL whole, and the client's address.
 */
export function loggableRequest(req: unknown): unknown {
  if (req === null || typeof req !== 'object') return req;
  const { id, method, url, originalUrl, route } = req as RequestLike;
  const written = typeof originalUrl === 'string' ? originalUrl : url;
  return {
    id,
    method,
    url: typeof written === 'string' ? loggableUrl(written) : undefined,
    // Only the request lines' own: Fastify's and Express's request objects
    // carry other things under that name.
    ...(typeof route === 'string' ? { route } : {}),
  };
}
