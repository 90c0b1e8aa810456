import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import {
  analyzeRequest,
  analyzeResponse,
  entityId,
  GATEWAY_API,
  type AnalyzeRequest,
} from '@docuthinker/contracts';
import type { Principal } from '../../auth/principal';
import type { AnalyzeOwner } from '../../analyze/document-analyzer';
import { handedOverAnalyze, SERVED_BY_HEADER } from '../../analyze/proxied-analyze-fast-path';
import type { EngineConnection } from '../../engine/engine-connection';
import { problem } from '../../errors';
import { clientAbortSignal } from '../../http/client-abort-signal';
import { keepRawJsonBody, rawJsonBody } from '../../http/raw-json-body';

/**
 * Which owner's indexes the analysed document also goes into, if any: with
 * `metadata.document_id`, a user token's subject, or the `metadata.owner_id`
 * the service names. A document id that cannot be indexed is refused rather
 * than silently left out of the indexes.
 */
function ownerOf(
  principal: Principal | undefined,
  metadata: AnalyzeRequest['metadata'],
): AnalyzeOwner {
  // Most calls name no document: skip zod there, whose failed parse builds an error object.
  const documentIdValue = metadata?.['document_id'];
  if (documentIdValue === undefined) return {};
  const documentId = entityId.safeParse(documentIdValue);
  if (!documentId.success) {
    throw problem('DT_ERR_VALIDATION', 'metadata.document_id is not a valid document id.');
  }
  if (principal?.kind === 'user')
    return { ownerId: principal.ownerId, documentId: documentId.data };
  const named = entityId.safeParse(metadata?.['owner_id']);
  if (!named.success) {
    throw problem(
      'DT_ERR_VALIDATION',
      'metadata.owner_id (a valid owner id) is required with metadata.document_id when the service calls.',
    );
  }
  return { ownerId: named.data, documentId: documentId.data };
}

/**
 * What the container is sent. The service's JSON goes as it came. A user
 * acts as the token's subject, as on every owner-scoped route: the
 * container gets `metadata.owner_id` set to it, so whatever it indexes is
 * the caller's, and a request naming another owner is refused (403).
 */
function forwardedAnalyzeBody(
  principal: Principal | undefined,
  body: AnalyzeRequest,
  rawBody: Buffer | undefined,
): Buffer | string | undefined {
  if (principal?.kind !== 'user') return rawBody;
  const named = body.metadata?.['owner_id'];
  if (named !== undefined && named !== principal.ownerId) {
    throw problem(
      'DT_ERR_OWNER_MISMATCH',
      "metadata.owner_id names another owner than the access token's subject",
    );
  }
  // The client's own JSON (validated already), not the schema's trimmed copy.
  // Read as the body parser read it, which skips a byte order mark.
  const sent = (
    rawBody ? JSON.parse(withoutByteOrderMark(rawBody.toString('utf8'))) : body
  ) as AnalyzeRequest;
  return JSON.stringify({ ...sent, metadata: { ...sent.metadata, owner_id: principal.ownerId } });
}

function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * `POST /analyze`, the FastAPI container's contract: proxied to the
 * container when one is configured, served by the local provider chain when
 * not or while the container fails. `x-docuthinker-served-by` says which.
 */
export function registerAnalyzeRoutes(parent: FastifyInstance, connection: EngineConnection): void {
  // A scope of its own, so only this route keeps the raw body it forwards.
  void parent.register(async (scope) => {
    keepRawJsonBody(scope);
    // A request the fast path handed over: its body was read already, replay it.
    scope.addHook('preParsing', (request, _reply, payload, done) => {
      const body = handedOverAnalyze(request.raw)?.body;
      done(null, body ? Readable.from([body], { objectMode: false }) : payload);
    });
    scope.post<{ Body: AnalyzeRequest }>(
      GATEWAY_API.analyze,
      {
        config: { aiCall: true },
        schema: {
          summary: 'Analyse a document (the FastAPI AI/ML contract)',
          description:
            "With `metadata.document_id` the document is also indexed for the owner: a user token's subject, or `metadata.owner_id` when the service calls. A user's `metadata.owner_id`, if given, must be the token's subject (403 otherwise); the container receives it set to the subject.",
          tags: ['analyze'],
          problems: [403],
          body: analyzeRequest,
          response: { 200: analyzeResponse },
        },
      },
      async (request, reply) => {
        const outcome = await connection
          .require()
          .analyzer.analyze(
            request.body,
            ownerOf(request.principal, request.body.metadata),
            request.id,
            clientAbortSignal(reply),
            forwardedAnalyzeBody(request.principal, request.body, rawJsonBody(request)),
            handedOverAnalyze(request.raw)?.upstreamAttempt,
          );
        reply.header(SERVED_BY_HEADER, outcome.servedBy);
        if (outcome.servedBy === 'upstream') {
          return reply.type('application/json').send(outcome.body);
        }
        if (outcome.fallbackReason) {
          request.log.warn(
            { reason: outcome.fallbackReason },
            '/analyze served locally: the upstream failed',
          );
        }
        return outcome.body;
      },
    );
  });
}
