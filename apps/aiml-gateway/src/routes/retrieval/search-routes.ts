import type { FastifyInstance } from 'fastify';
import {
  askRequest,
  askResponse,
  GATEWAY_API,
  searchRequest,
  searchResponse,
  type AskRequest,
  type AskResponse,
  type SearchRequest,
  type SearchResponse,
} from '@docuthinker/contracts';
import type { EngineConnection } from '../../engine/engine-connection';
import { clientAbortSignal } from '../../http/client-abort-signal';

/** `POST /ai/v1/search` (ranked chunks) and `POST /ai/v1/ask` (an answer with citations). */
export function registerSearchRoutes(scope: FastifyInstance, connection: EngineConnection): void {
  const retrieval = () => connection.require().engine.retrieval;
  scope.post<{ Body: SearchRequest }>(
    GATEWAY_API.search,
    {
      config: {
        ownerIn: 'body',
        // Vector and hybrid searches embed the query; a lexical one calls no model.
        aiCall: (request) => (request.body as SearchRequest).mode !== 'lexical',
      },
      schema: {
        summary: "Search the owner's chunks (hybrid, vector or lexical)",
        tags: ['retrieval'],
        // 409: the vector index is disabled; 502: the embedding provider refused
        // a vector search's query (a hybrid one falls back to terms instead).
        problems: [409, 502],
        body: searchRequest,
        response: { 200: searchResponse },
      },
    },
    async (request, reply): Promise<SearchResponse> =>
      retrieval().search(request.body, clientAbortSignal(reply)),
  );

  scope.post<{ Body: AskRequest }>(
    GATEWAY_API.ask,
    {
      config: { ownerIn: 'body', aiCall: true },
      schema: {
        summary: "Answer a question from the owner's documents, citing the chunks used",
        tags: ['retrieval'],
        // 409: the vector index is disabled. 502: every provider asked refused to
        // answer (DT_ERR_PROVIDERS_REFUSED; not with the offline engine in the
        // chain). A query the embedding provider refuses is ranked by its
        // terms alone (degraded), not a 502.
        problems: [409, 502],
        body: askRequest,
        response: { 200: askResponse },
      },
    },
    async (request, reply): Promise<AskResponse> => {
      const result = await retrieval().ask(request.body, clientAbortSignal(reply));
      return {
        answer: result.answer,
        citations: [...result.citations],
        provider: result.provider,
        model: result.model,
        degraded: result.degraded,
        ...(result.documentsIndexed === undefined
          ? {}
          : { documentsIndexed: result.documentsIndexed }),
      };
    },
  );
}
