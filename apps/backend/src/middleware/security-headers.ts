import type { RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { CROSS_ORIGIN_POLICY, NOT_FOR_CACHES } from '@docuthinker/runtime';

interface HeaderChanges {
  readonly set: ReadonlyArray<readonly [name: string, value: string]>;
  readonly removed: readonly string[];
}

/**
 * Runs a header-only middleware against a stand-in request and records what
 * it does to the response headers. helmet's defaults set the same headers on
 * every response (no nonces, no directive computed from the request), yet
 * its twelve chained middlewares ran one by one on every request, a
 * measurable share of a cached document listing. Anything other than
 * synchronous header changes followed by `next()`, or headers that differ
 * between two runs (a nonce), is refused at start-up, so an option that
 * depends on the request cannot be frozen by mistake.
 */
export function headerChangesOf(middleware: RequestHandler): HeaderChanges {
  const first = recordHeaderChanges(middleware);
  const second = recordHeaderChanges(middleware);
  if (JSON.stringify(first) !== JSON.stringify(second)) {
    throw new Error('security headers: the middleware sets different headers on each request');
  }
  return first;
}

function recordHeaderChanges(middleware: RequestHandler): HeaderChanges {
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

/** helmet's defaults (CSP, HSTS, nosniff, frame denial…), no caching, and CORS for the configured origins only. */
export function securityHeaders(corsOrigins: readonly string[]): RequestHandler[] {
  const { set, removed } = headerChangesOf(helmet());
  // A route with other rules sets its own (a download; Swagger UI's assets).
  const fixed = [...set, ['Cache-Control', NOT_FOR_CACHES] as const];
  const helmetHeaders: RequestHandler = (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of fixed) res.setHeader(name, value);
    next();
  };
  return [
    helmetHeaders,
    cors({
      origin: corsOrigins.length > 0 ? [...corsOrigins] : false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [...CROSS_ORIGIN_POLICY.allowedHeaders],
      // Location: where a created document lives.
      exposedHeaders: [...CROSS_ORIGIN_POLICY.exposedHeaders, 'Location'],
      maxAge: CROSS_ORIGIN_POLICY.maxAgeSeconds,
    }),
  ];
}

/**
 * What `securityHeaders` sets on the answer to a request without an
 * `Origin` header, which is no CORS exchange and so always gets the same
 * headers: an answer written before Express (the cached listing) sends these
 * and stays identical to the one Express would have sent.
 */
export function securityHeadersWithoutOrigin(corsOrigins: readonly string[]): HeaderChanges['set'] {
  const chain = securityHeaders(corsOrigins);
  const wholeChain: RequestHandler = (req, res, next) => {
    const step = (index: number, error?: unknown): void => {
      if (error !== undefined || index === chain.length) return next(error);
      void chain[index]?.(req, res, (failure?: unknown) => step(index + 1, failure));
    };
    step(0);
  };
  return headerChangesOf(wholeChain).set;
}
