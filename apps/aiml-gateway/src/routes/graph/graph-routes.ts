import type { FastifyInstance } from 'fastify';
import {
  entitiesQuery,
  entitiesResponse,
  GATEWAY_API,
  relatedDocumentsParams,
  relatedDocumentsQuery,
  relatedDocumentsResponse,
  type EntitiesQuery,
  type EntitiesResponse,
  type RelatedDocumentsQuery,
  type RelatedDocumentsResponse,
} from '@docuthinker/contracts';
import type { EngineConnection } from '../../engine/engine-connection';

/** The owner's knowledge graph: documents related through shared entities, and top entities. */
export function registerGraphRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  const retrieval = () => connection.require().engine.retrieval;
  scope.get<{ Params: { documentId: string }; Querystring: RelatedDocumentsQuery }>(
    '/ai/v1/graph/documents/:documentId/related',
    {
      config: { ownerIn: 'query' },
      schema: {
        summary: 'Documents of the owner that share entities with this one',
        tags: ['graph'],
        // The knowledge graph is disabled.
        problems: [409],
        params: relatedDocumentsParams,
        querystring: relatedDocumentsQuery,
        response: { 200: relatedDocumentsResponse },
      },
    },
    async (request): Promise<RelatedDocumentsResponse> => {
      const { documentId } = request.params;
      const { ownerId, limit } = request.query;
      const related = await retrieval().related(ownerId, documentId, limit);
      return {
        documentId,
        related: related.map((document) => ({
          ...document,
          sharedEntities: [...document.sharedEntities],
        })),
      };
    },
  );

  scope.get<{ Querystring: EntitiesQuery }>(
    GATEWAY_API.entities,
    {
      config: { ownerIn: 'query' },
      schema: {
        summary: "The owner's most mentioned entities",
        tags: ['graph'],
        // The knowledge graph is disabled.
        problems: [409],
        querystring: entitiesQuery,
        response: { 200: entitiesResponse },
      },
    },
    async (request): Promise<EntitiesResponse> => ({
      entities: await retrieval().topEntities(request.query.ownerId, request.query.limit),
    }),
  );
}
