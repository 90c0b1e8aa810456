/** A middleware that only sets headers: helmet's, cors', Express- or Connect-style. */
export type HeaderMiddleware = (
  request: never,
  response: never,
  next: (error?: unknown) => void,
) => unknown;

export interface HeaderChanges {
  readonly set: ReadonlyArray<readonly [name: string, value: string]>;
  readonly removed: readonly string[];
}

/**
 * Runs a header-only middleware against a stand-in request and records what
 * it does to the response headers. helmet's defaults set the same headers on
 * every response (no nonces, no directive computed from the request), yet
 * its chained middlewares ran one by one on every request: a measurable
 * share of a cached document listing, and, as @fastify/helmet, twice the CPU
 * of a small gateway answer. Anything other than synchronous header changes
 * followed by `next()`, or headers that differ between two runs (a nonce),
 * is refused at start-up, so an option that depends on the request cannot
 * be frozen by mistake.
 */
export function headerChangesOf(middleware: HeaderMiddleware): HeaderChanges {
  const first = recordHeaderChanges(middleware);
  const second = recordHeaderChanges(middleware);
  if (JSON.stringify(first) !== JSON.stringify(second)) {
    throw new Error('security headers: the middleware sets different headers on each request');
  }
  return first;
}

function recordHeaderChanges(middleware: HeaderMiddleware): HeaderChanges {
  const set = new Map<string, readonly [string, string]>();
  const removed = new Set<string>();
  const run: { outcome: 'pending' | 'next' | 'error' } = { outcome: 'pending' };
  const response = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`header ${name} is not a plain string`);
      removed.delete(name.toLowerCase());
      set.set(name.toLowerCase(), [name, value]);
      return response;
    },
    getHeader(name: string) {
      return set.get(name.toLowerCase())?.[1];
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase());
      removed.add(name.toLowerCase());
    },
  };
  const request = { method: 'GET', url: '/', headers: {} };
  void middleware(request as never, response as never, (error?: unknown) => {
    run.outcome = error === undefined ? 'next' : 'error';
  });
  if (run.outcome !== 'next') {
    throw new Error('security headers: the middleware did not finish synchronously with next()');
  }
  return { set: [...set.values()], removed: [...removed] };
}
