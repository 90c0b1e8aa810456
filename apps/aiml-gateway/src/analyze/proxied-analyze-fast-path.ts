import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { analyzeRequest, BEARER_CREDENTIALS, GATEWAY_API } from '@docuthinker/contracts';
import {
  namesUtf8OrNoCharset,
  NOT_FOR_CACHES,
  REQUEST_ID_HEADER,
  requestIdFrom,
} from '@docuthinker/runtime';
import type { EngineConnection } from '../engine/engine-connection';
import { recordRoutePattern } from '../http/request-logging';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { refusedFromOutside } from '../plugins/authentication';
import type { CachedBearerVerifier } from '../plugins/verified-token-cache';
import { parseAcceptedJson } from './prototype-keys';
import { ResponseCancellation, type UpstreamAnswer } from './upstream-analyzer';

/** What the fast path leaves to the Fastify route when it hands a request over. */
export interface HandedOverAnalyze {
  /** The body it read off the socket, which the route replays instead. */
  readonly body: Buffer;
  /** Its call to the container, when it made one: failed, for the route's fallback. */
  readonly upstreamAttempt?: Promise<UpstreamAnswer>;
  /** When that call began (performance.now()): the fallback has what is left of the deadline. */
  readonly startedAt?: number;
}

const handedOver = new WeakMap<IncomingMessage, HandedOverAnalyze>();

/** For the `/analyze` route: what the fast path already did for this request, if anything. */
export function handedOverAnalyze(request: IncomingMessage): HandedOverAnalyze | undefined {
  return handedOver.get(request);
}

export const SERVED_BY_HEADER = 'x-docuthinker-served-by';

export interface ProxiedAnalyzeDependencies {
  readonly connection: EngineConnection;
  /** The authentication hook's own verifier: the same remembered tokens. */
  readonly verifier: CachedBearerVerifier;
  readonly bodyLimitBytes: number;
  readonly metrics: GatewayMetrics;
  /** The server it answers on: while it drains, every request goes to Fastify. */
  readonly server: () => Server | undefined;
}

/**
 * Proxies `POST /analyze` to the FastAPI container ahead of Fastify when the
 * request can only end one way: the container is configured with its
 * circuit closed, the service's bearer token verified before, no `Origin`
 * (a browser's request gets the route's CORS headers), the body JSON
 * within the limit and naming no document to index. The body is read and
 * validated as the route would (to the same verdict as its parser, and the
 * same contract schema), its
 * bytes forwarded, and the container's 2xx answer passed on with the route's
 * headers and duration metric (its log line is withRequestLogging's).
 *
 * Everything else is the Fastify route's, unchanged: a request that fails
 * any check before its body is read goes there as it is; one whose body does
 * not validate, names a document, may hold a NUL or lone surrogate (the
 * route forwards its text made well-formed), or whose container call failed, is handed over with the body
 * it already read (replayed by the route's `preParsing` hook) and, after a
 * failure, that call's outcome, so the route answers the problem or serves
 * its local fallback without calling the container a second time.
 *
 * Why: this is the proxy hop the gateway is measured on against nginx, and
 * Fastify's per-request pipeline (hooks, reply, serializers) cost as much
 * CPU as the proxying itself (docs/benchmarks.md).
 */
export function withProxiedAnalyze(
  fastify: RequestListener,
  dependencies: ProxiedAnalyzeDependencies,
): RequestListener {
  const { connection, verifier, bodyLimitBytes, metrics } = dependencies;
  // Labelled once: a histogram looks its labels up on every observation.
  const analyzeDuration = metrics.requestDuration.labels({
    method: 'POST',
    route: GATEWAY_API.analyze,
    status_code: '200',
  });

  const analyzerFor = (req: IncomingMessage) => {
    if (req.method !== 'POST' || req.url !== GATEWAY_API.analyze) return undefined;
    const analyzer = connection.current?.analyzer;
    if (!analyzer?.proxying || dependencies.server()?.listening !== true) return undefined;
    const { headers } = req;
    const length = Number(headers['content-length']);
    if (
      !(length > 0 && length <= bodyLimitBytes) ||
      headers['transfer-encoding'] !== undefined ||
      headers['content-encoding'] !== undefined ||
      // A browser's request gets the route's CORS headers (services send no Origin).
      headers.origin !== undefined ||
      !isJson(headers['content-type'])
    ) {
      return undefined;
    }
    // The service's requests only: a user's is forwarded with its owner
    // written in by the route (see forwardedAnalyzeBody).
    const token = BEARER_CREDENTIALS.exec(headers.authorization ?? '')?.[1];
    const principal = token === undefined ? undefined : verifier.known(token);
    // One that came through the load balancer is the route's to refuse.
    return principal?.kind === 'service' && !refusedFromOutside(principal, req)
      ? analyzer
      : undefined;
  };

  const handOver = (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    state: HandedOverAnalyze,
  ) => {
    // Fastify takes the request id from this header: both halves log one id.
    req.headers[REQUEST_ID_HEADER] = requestId;
    handedOver.set(req, state);
    fastify(req, res);
  };

  return (req, res) => {
    const analyzer = analyzerFor(req);
    if (!analyzer) {
      fastify(req, res);
      return;
    }
    const startedAt = performance.now();
    const requestId = requestIdFrom(req.headers);
    recordRoutePattern(req, GATEWAY_API.analyze);
    // Its duration metric once the answer is sent, unless the route took the request over.
    res.once('finish', () => {
      if (handedOver.has(req)) return;
      analyzeDuration.observe((performance.now() - startedAt) / 1000);
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      if (!isPlainAnalyzeRequest(body)) {
        handOver(req, res, requestId, { body });
        return;
      }
      const gone = new ResponseCancellation(res);
      const upstreamAttempt = analyzer.proxy(body, requestId, gone, startedAt);
      upstreamAttempt.then(
        (answer) => {
          // A probe goes on after its client left (see UpstreamAnalyzer.analyze).
          if (gone.aborted) return;
          // 200 whichever 2xx the container chose, as the route answers.
          // Without the security headers the route sends (nosniff, HSTS,
          // framing and referrer policy: plugins/security-headers.ts): only
          // the service token without an Origin gets here, the backend,
          // which reads the JSON itself; a user's or a browser's request
          // always goes to the route, which sends them.
          res
            .writeHead(200, [
              REQUEST_ID_HEADER,
              requestId,
              SERVED_BY_HEADER,
              'upstream',
              'content-type',
              'application/json',
              'cache-control',
              NOT_FOR_CACHES,
              'content-length',
              String(answer.body.length),
            ])
            .end(answer.body);
        },
        () => {
          if (!gone.aborted) handOver(req, res, requestId, { body, upstreamAttempt, startedAt });
        },
      );
    });
  };
}

/** `application/json`, with or without parameters, as the route's parser takes it (UTF-8 only). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.slice(0, 16).toLowerCase();
  if (type !== 'application/json') return false;
  // Parameters only after the type: `application/json garbage` is the route's 415.
  return (
    contentType.length === 16 ||
    (/^\s*;/.test(contentType.slice(16)) && namesUtf8OrNoCharset(contentType))
  );
}

/** An escape of NUL or of either half of a surrogate pair. */
const ILL_FORMED_ESCAPE = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

/**
 * Whether the JSON text may hold a string that is not well-formed: a NUL
 * (`\u0000`) or a surrogate, which JSON can only carry as escapes (a lone
 * one cannot be encoded as UTF-8). A body without any `\u` costs one native
 * search; one with escapes (Python's `json.dumps` escapes every non-ASCII
 * character) one regex pass over its bytes from the first, which stays
 * within milliseconds on megabytes (a search and a test per escape took
 * 250 ms on 6.6 MB). A paired surrogate or an escaped backslash before a
 * `u` also answers true, which only sends the body the slower way.
 */
export function mayHoldIllFormedText(body: Buffer): boolean {
  const first = body.indexOf('\\u');
  return first !== -1 && ILL_FORMED_ESCAPE.test(body.toString('latin1', first));
}

/**
 * A body the route would take as it is: valid, naming no document to index
 * (the route checks the owner that goes with a `metadata.document_id`), and
 * whose text needs no mending (the route forwards a well-formed copy).
 */
function isPlainAnalyzeRequest(body: Buffer): boolean {
  // What the route's parser refuses, or would decode with replacements or
  // mend, is the route's to answer.
  if (mayHoldIllFormedText(body)) return false;
  const parsed = analyzeRequest.safeParse(parseAcceptedJson(body));
  return parsed.success && parsed.data.metadata?.['document_id'] === undefined;
}
