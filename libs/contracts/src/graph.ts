import * as z from 'zod';
import { queryInteger } from './query-integer';
import { entityId } from './retrieval';

/** `GET /ai/v1/graph/documents/:documentId/related` */
export const relatedDocumentsParams = z.object({ documentId: entityId }).strict();

/** Query strings carry text; `limit` is read from its digits. */
export const relatedDocumentsQuery = z
  .object({
    ownerId: entityId,
    limit: queryInteger(1, 50).optional(),
  })
  .strict();
export type RelatedDocumentsQuery = z.infer<typeof relatedDocumentsQuery>;

export const relatedDocument = z.object({
  documentId: entityId,
  title: z.string(),
  /** Names of the entities both documents mention, alphabetical. */
  sharedEntities: z.array(z.string()),
  score: z.number(),
});
export const relatedDocumentsResponse = z.object({
  documentId: entityId,
  related: z.array(relatedDocument),
});
export type RelatedDocumentsResponse = z.infer<typeof relatedDocumentsResponse>;

/** `GET /ai/v1/graph/entities` */
export const entitiesQuery = z
  .object({
    ownerId: entityId,
    limit: queryInteger(1, 500).optional(),
  })
  .strict();
export type EntitiesQuery = z.infer<typeof entitiesQuery>;

export const entitySummary = z.object({
  key: z.string(),
  name: z.string(),
  type: z.string(),
  /** Documents of the owner that mention it. */
  documents: z.number().int().nonnegative(),
  mentions: z.number().int().nonnegative(),
});
export const entitiesResponse = z.object({ entities: z.array(entitySummary) });
export type EntitiesResponse = z.infer<typeof entitiesResponse>;
