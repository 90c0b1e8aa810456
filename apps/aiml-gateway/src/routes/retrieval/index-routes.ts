import type { FastifyInstance } from 'fastify';
import {
  GATEWAY_API,
  indexedDocumentParams,
  indexRequest,
  indexResponse,
  ownerQuery,
  removeIndexResponse,
  removeOwnerIndexResponse,
  type IndexRequest,
  type IndexResponse,
  type RemoveIndexResponse,
  type RemoveOwnerIndexResponse,
} from '@docuthinker/contracts';
import type { EngineConnection } from '../../engine/engine-connection';
import { clientAbortSignal } from '../../http/client-abort-signal';

/**
 * `POST /ai/v1/index` (idempotent: a document's chunks and graph are
 * replaced, never added to), `DELETE /ai/v1/index/:documentId`, and
 * `DELETE /ai/v1/index` for everything one owner has indexed.
 */
export function registerIndexRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  const retrieval = () => connection.require().engine.retrieval;
  scope.post<{ Body: IndexRequest }>(
    GATEWAY_API.index,
    {
      config: { ownerIn: 'body', aiCall: true },
      schema: {
        summary: "Index (or re-index) a document into the owner's vector index and knowledge graph",
        tags: ['retrieval'],
        // 409: the owner is being erased; 422: the offline engine's worker ran
        // out of memory on the text; 502: Chroma refused the chunks, or the
        // embedding provider refused the text.
        problems: [409, 422, 502],
        body: indexRequest,
        response: { 200: indexResponse },
      },
    },
    async (request, reply): Promise<IndexResponse> =>
      retrieval().index(request.body, clientAbortSignal(reply)),
  );

  scope.delete<{ Params: { documentId: string }; Querystring: { ownerId: string } }>(
    '/ai/v1/index/:documentId',
    {
      config: { ownerIn: 'query' },
      schema: {
        summary: "Remove a document's chunks and the graph nodes and edges only it held",
        tags: ['retrieval'],
        params: indexedDocumentParams,
        querystring: ownerQuery,
        response: { 200: removeIndexResponse },
      },
    },
    async (request): Promise<RemoveIndexResponse> =>
      retrieval().remove(request.query.ownerId, request.params.documentId),
  );

  // A user's token may only name its own subject (owner scope), so a user can
  // erase their own index and nobody else's; the service names any owner.
  scope.delete<{ Querystring: { ownerId: string } }>(
    GATEWAY_API.index,
    {
      config: { ownerIn: 'query' },
      schema: {
        summary:
          "Remove everything the owner has indexed: every document's chunks, and the owner's whole graph",
        tags: ['retrieval'],
        querystring: ownerQuery,
        response: { 200: removeOwnerIndexResponse },
      },
    },
    async (request): Promise<RemoveOwnerIndexResponse> =>
      retrieval().removeOwner(request.query.ownerId),
  );
}
