import type { RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import {
  CROSS_ORIGIN_POLICY,
  headerChangesOf,
  isOptionsWithoutPreflight,
  NOT_FOR_CACHES,
  type HeaderChanges,
} from '@docuthinker/runtime';

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
  const crossOrigin = cors({
    origin: corsOrigins.length > 0 ? [...corsOrigins] : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Content-Encoding: the backend takes gzip, deflate and br JSON bodies;
    // If-None-Match: a page revalidating a document it holds (its ETag).
    // Review: a browser refused both, and the ETag was not readable.
    allowedHeaders: [...CROSS_ORIGIN_POLICY.allowedHeaders, 'Content-Encoding', 'If-None-Match'],
    // Location: where a created document lives; Content-Disposition: a
    // download's file name, which a front end on another origin saves it under.
    exposedHeaders: [
      ...CROSS_ORIGIN_POLICY.exposedHeaders,
      'Location',
      'Content-Disposition',
      'ETag',
    ],
    maxAge: CROSS_ORIGIN_POLICY.maxAgeSeconds,
  });
  // The cors package answers every OPTIONS request 204 as if it were a
  // preflight; one that is not is the router's to refuse (problem-responses.ts).
  const preflightsOnly: RequestHandler = (req, res, next) => {
    if (isOptionsWithoutPreflight(req.method, req.headers)) next();
    else crossOrigin(req, res, next);
  };
  return [helmetHeaders, preflightsOnly];
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
