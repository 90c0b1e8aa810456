import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import {
  analyzeRequest,
  analyzeResponse,
  entityId,
  GATEWAY_API,
  wellFormedText,
  type AnalyzeRequest,
} from '@docuthinker/contracts';
import type { Principal } from '../../auth/principal';
import type { AnalyzeOwner } from '../../analyze/document-analyzer';
import {
  handedOverAnalyze,
  mayHoldIllFormedText,
  SERVED_BY_HEADER,
} from '../../analyze/proxied-analyze-fast-path';
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

/** The contract's free-text fields; `metadata.title` is the one among the metadata. */
const TEXT_FIELDS = ['document', 'question', 'translate_lang'] as const;

/**
 * The client's JSON with its free-text fields made well-formed (NUL and lone
 * surrogates replaced one for one, as the schema does), or undefined when
 * none changed. Not the schema's copy: that one is trimmed too, and drops
 * nothing else the container may read.
 */
function wellFormedCopy(sent: AnalyzeRequest): AnalyzeRequest | undefined {
  let changed = false;
  const mend = <T>(value: T): T => {
    if (typeof value !== 'string') return value;
    const mended = wellFormedText(value);
    changed ||= mended !== value;
    return mended as T;
  };
  const copy: Record<string, unknown> = { ...sent };
  for (const field of TEXT_FIELDS) if (field in sent) copy[field] = mend(sent[field]);
  if (sent.metadata && 'title' in sent.metadata)
    copy['metadata'] = { ...sent.metadata, title: mend(sent.metadata['title']) };
  return changed ? (copy as AnalyzeRequest) : undefined;
}

/** The client's own JSON, from the bytes the body was parsed from (its byte order mark dropped). */
function clientJson(rawBody: Buffer): AnalyzeRequest {
  return JSON.parse(rawBody.toString('utf8')) as AnalyzeRequest;
}

/**
 * What the container is sent: the client's JSON, validated, with its text
 * made well-formed as the README's "Text as stored" promises (a lone
 * surrogate would fail the container's Chroma write, and its 5xx count
 * against the circuit every caller shares). The service's bytes go as they
 * came when nothing needs mending. A user acts as the token's subject, as on
 * every owner-scoped route: the container gets `metadata.owner_id` set to
 * it, so whatever it indexes is the caller's, and a request naming another
 * owner is refused (403).
 */
function forwardedAnalyzeBody(
  principal: Principal | undefined,
  body: AnalyzeRequest,
  rawBody: Buffer | undefined,
): Buffer | string | undefined {
  if (principal?.kind !== 'user') {
    // The byte scan spares the usual body a second parse.
    if (!rawBody || !mayHoldIllFormedText(rawBody)) return rawBody;
    const mended = wellFormedCopy(clientJson(rawBody));
    return mended ? JSON.stringify(mended) : rawBody;
  }
  const named = body.metadata?.['owner_id'];
  // Not an id (null, a number, " bob") names no owner: a malformed field, as
  // on the other owner-scoped routes (owner-scope.ts), not somebody else's.
  if (named !== undefined && named !== principal.ownerId && !entityId.safeParse(named).success) {
    throw problem(
      'DT_ERR_VALIDATION',
      'metadata.owner_id must be an id: 1–128 letters, digits or . _ : -',
    );
  }
  if (named !== undefined && named !== principal.ownerId) {
    throw problem(
      'DT_ERR_OWNER_MISMATCH',
      "metadata.owner_id names another owner than the access token's subject",
    );
  }
  const client = rawBody ? clientJson(rawBody) : body;
  const sent = wellFormedCopy(client) ?? client;
  return JSON.stringify({ ...sent, metadata: { ...sent.metadata, owner_id: principal.ownerId } });
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
          // 403: another owner named; 409: that owner is being erased; 422: the
          // offline engine's worker ran out of memory on the text; 502: the
          // container refused the request (4xx), or Chroma or the embedding
          // provider refused the document indexed.
          problems: [403, 409, 422, 502],
          body: analyzeRequest,
          response: { 200: analyzeResponse },
        },
      },
      async (request, reply) => {
        const handedOver = handedOverAnalyze(request.raw);
        const outcome = await connection
          .require()
          .analyzer.analyze(
            request.body,
            ownerOf(request.principal, request.body.metadata),
            request.id,
            clientAbortSignal(reply),
            forwardedAnalyzeBody(request.principal, request.body, rawJsonBody(request)),
            handedOver?.upstreamAttempt,
            handedOver?.startedAt,
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
