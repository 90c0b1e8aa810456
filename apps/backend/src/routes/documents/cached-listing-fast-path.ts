import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  announcesBody,
  logRequestEnd,
  REQUEST_ID_HEADER,
  requestIdFrom,
  responseOutcome,
  type Logger,
} from '@docuthinker/runtime';
import { documentListQuery } from '../../api/document-schemas';
import type { AccessTokens } from '../../auth/access-tokens';
import type { LiveAccounts } from '../../auth/live-accounts';
import { knownUserId } from '../../middleware/authenticate';
import type { HttpMetrics } from '../../middleware/http-metrics';
import { validQueryOf } from '../../middleware/validate';
import type { DocumentService } from '../../services/document-service';
import { JSON_CONTENT_TYPE, type EncodedJsonBodies } from './encoded-json-bodies';

/** The path, and the route pattern the duration metric names it by, as Express does. */
const LISTING_PATH = '/api/documents';

export interface CachedListingDependencies {
  readonly tokens: AccessTokens;
  readonly accounts: LiveAccounts;
  readonly documents: DocumentService;
  /** Shared with the Express route, so both send the same bytes and ETag. */
  readonly bodies: EncodedJsonBodies;
  /** `securityHeadersWithoutOrigin`: what the Express chain sets on such a request. */
  readonly fixedHeaders: ReadonlyArray<readonly [string, string]>;
  readonly metrics: HttpMetrics;
  readonly logger: Logger;
}

/**
 * Answers `GET /api/documents` from the listing cache before Express sees
 * the request, when everything the answer depends on is already known: a
 * token verified before, of an account confirmed within seconds (as
 * `authenticate`'s own cached path), a query that validates, no `Origin`
 * (no CORS exchange) and no conditional headers, and the page in the cache.
 * Anything else, a cache miss included, goes to `app` untouched, which
 * answers it, errors and all, as it would have.
 *
 * Why: a client polling its listing is the hottest request there is, and
 * Express's per-request machinery (prototype swaps, the middleware stack,
 * the router) cost as much as the answer itself. Here it is a few header
 * writes. The answer is the Express route's, header for header: the same
 * security headers (taken from the middleware itself), request id, ETag and
 * bytes, the same log line and the same duration metric
 * (test/cached-listing-fast-path.spec.ts compares the two).
 */
export function withCachedListing(
  app: RequestListener,
  dependencies: CachedListingDependencies,
): RequestListener {
  const { tokens, accounts, documents, bodies, metrics, logger } = dependencies;
  const fixedHeaders = dependencies.fixedHeaders.flat();

  const candidate = (req: IncomingMessage): boolean => {
    const { url, headers } = req;
    return (
      req.method === 'GET' &&
      url !== undefined &&
      url.startsWith(LISTING_PATH) &&
      (url.length === LISTING_PATH.length || url.charCodeAt(LISTING_PATH.length) === 63) && // '?'
      headers.origin === undefined &&
      // A body is Express's 400 (undeclared-request-parts), cached or not.
      !announcesBody(headers) &&
      headers['if-none-match'] === undefined &&
      headers['if-modified-since'] === undefined
    );
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const startedAt = performance.now();
    const ownerId = knownUserId(req.headers.authorization, tokens, accounts);
    if (ownerId === undefined) return false;
    const query = validQueryOf(req.url ?? '', documentListQuery);
    if (query === undefined) return false;
    const rendered = await documents.cachedListing(ownerId, query.limit, query.cursor);
    // The account may have been deleted, or its password changed, while the
    // cache answered: the token must still open it.
    if (
      rendered === undefined ||
      knownUserId(req.headers.authorization, tokens, accounts) !== ownerId
    ) {
      return false;
    }
    const body = bodies.encoded(rendered);
    const id = requestIdFrom(req.headers);
    const headers = [REQUEST_ID_HEADER, id, ...fixedHeaders, 'Content-Type', JSON_CONTENT_TYPE];
    if (body.etag !== undefined) headers.push('ETag', body.etag);
    headers.push('Content-Length', String(body.bytes.length));
    res.once('close', () => {
      logRequestEnd(
        logger,
        { id, method: req.method, url: req.url, route: LISTING_PATH },
        responseOutcome(res, startedAt),
      );
    });
    res.once('finish', () => metrics.observe('GET', LISTING_PATH, res.statusCode, startedAt));
    res.writeHead(200, headers).end(body.bytes);
    return true;
  };

  return (req, res) => {
    if (!candidate(req)) {
      app(req, res);
      return;
    }
    // A GET's body (there should be none) stays unread until Express takes the request.
    answer(req, res).then(
      (answered) => {
        if (!answered) app(req, res);
      },
      // Nothing was written when it failed: the cache or the query went wrong, Express decides.
      () => {
        if (!res.headersSent) app(req, res);
      },
    );
  };
}
