import * as z from 'zod';
import { entityId } from './retrieval';

/** `DELETE /ai/v1/index/:documentId?ownerId=` */
export const indexedDocumentParams = z.object({ documentId: entityId }).strict();

export const removeIndexResponse = z.object({
  documentId: entityId,
  vector: z.object({ enabled: z.boolean(), removed: z.number().int().nonnegative() }),
  graph: z.object({ enabled: z.boolean(), removedEntities: z.number().int().nonnegative() }),
});
export type RemoveIndexResponse = z.infer<typeof removeIndexResponse>;

/**
 * `DELETE /ai/v1/index?ownerId=`: everything the owner has indexed, whichever
 * caller indexed it (account erasure).
 */
export const removeOwnerIndexResponse = z.object({
  ownerId: entityId,
  vector: z.object({
    enabled: z.boolean(),
    removed: z.number().int().nonnegative(),
    documents: z.number().int().nonnegative(),
  }),
  graph: z.object({
    enabled: z.boolean(),
    removedDocuments: z.number().int().nonnegative(),
    removedEntities: z.number().int().nonnegative(),
  }),
});
export type RemoveOwnerIndexResponse = z.infer<typeof removeOwnerIndexResponse>;
