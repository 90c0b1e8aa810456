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
