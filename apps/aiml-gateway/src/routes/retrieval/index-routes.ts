import type { FastifyInstance } from 'fastify';
import {
  GATEWAY_API,
  indexedDocumentParams,
  indexRequest,
  indexResponse,
  ownerQuery,
  removeIndexResponse,
  type IndexRequest,
  type IndexResponse,
  type RemoveIndexResponse,
} from '@docuthinker/contracts';
import type { EngineConnection } from '../../engine/engine-connection';

/**
 * `POST /ai/v1/index` (idempotent: a document's chunks and graph are
 * replaced, never added to) and `DELETE /ai/v1/index/:documentId`.
 */
export function registerIndexRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  const retrieval = () => connection.require().engine.retrieval;
  scope.post<{ Body: IndexRequest }>(
    GATEWAY_API.index,
    {
      config: { ownerIn: 'body' },
      schema: {
        summary: "Index (or re-index) a document into the owner's vector index and knowledge graph",
        tags: ['retrieval'],
        body: indexRequest,
        response: { 200: indexResponse },
      },
    },
    async (request): Promise<IndexResponse> => retrieval().index(request.body),
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
}
