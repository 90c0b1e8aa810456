import * as z from 'zod';
import { titleField } from './title-text';
import { visibleTextField, visibleWellFormedText } from './well-formed-text';
import { MAX_TEXT_CHARS } from './ai-tasks';
import { jsonMetadata } from './json-metadata';

/**
 * Ids are opaque strings chosen by the backend; bounded and printable. `.`
 * and `..` are refused: URLs drop them as path segments (RFC 3986 dot
 * segments, `%2E` too), so a document so named could be indexed but never
 * deleted or asked about by its path.
 */
export const entityId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'must be letters, digits or . _ : -' })
  // A pattern, not a refinement, so the OpenAPI document says it too (an
  // exploratory test sent `.` as the schema allowed and got a 400).
  .regex(/^(?!\.\.?$)/, { error: 'must not be . or ..' });

export const documentIds = z.array(entityId).min(1).max(500);

export const indexRequest = z
  .object({
    ownerId: entityId,
    documentId: entityId,
    // Taken as the backend takes titles: a user token indexes here directly.
    title: titleField(500),
    // Not trimmed: chunk offsets point into the text as sent. Blank text would
    // replace a document's chunks with none and leave its graph node behind.
    text: visibleWellFormedText().min(1).max(MAX_TEXT_CHARS),
    metadata: jsonMetadata.optional(),
  })
  .strict();
export type IndexRequest = z.infer<typeof indexRequest>;

export const indexResponse = z.object({
  documentId: entityId,
  chunks: z.number().int().nonnegative(),
  vector: z.object({ upserted: z.number().int().nonnegative() }).passthrough(),
  graph: z
    .object({ nodes: z.number().int().nonnegative(), edges: z.number().int().nonnegative() })
    .passthrough(),
});
export type IndexResponse = z.infer<typeof indexResponse>;

export const ownerQuery = z.object({ ownerId: entityId }).strict();

export const searchModes = ['hybrid', 'vector', 'lexical'] as const;

export const searchRequest = z
  .object({
    ownerId: entityId,
    query: visibleTextField(2_000),
    k: z.number().int().min(1).max(50).optional(),
    mode: z.enum(searchModes).optional(),
    documentIds: documentIds.optional(),
  })
  .strict();
export type SearchRequest = z.infer<typeof searchRequest>;

export const searchHit = z.object({
  documentId: entityId,
  chunkId: z.string(),
  text: z.string(),
  score: z.number(),
});
export const searchResponse = z.object({
  hits: z.array(searchHit),
  /**
   * A hybrid search ranked by terms alone: the query could not be embedded
   * (the scores are BM25's). Optional for gateways from before it was added.
   */
  degraded: z.boolean().optional(),
});
export type SearchResponse = z.infer<typeof searchResponse>;

export const citation = z.object({
  documentId: entityId,
  chunkId: z.string(),
  snippet: z.string(),
  score: z.number(),
});
export type Citation = z.infer<typeof citation>;

export const askRequest = z
  .object({
    ownerId: entityId,
    question: visibleTextField(2_000),
    documentIds: documentIds.optional(),
    k: z.number().int().min(1).max(20).optional(),
  })
  .strict();
export type AskRequest = z.infer<typeof askRequest>;

/** Longest chat message (characters, once trimmed), history included. */
export const MAX_CHAT_MESSAGE_CHARS = 20_000;

export const chatMessage = z
  .object({
    role: z.enum(['user', 'assistant', 'system']),
    content: visibleTextField(MAX_CHAT_MESSAGE_CHARS),
  })
  .strict();
export type ChatMessage = z.infer<typeof chatMessage>;

export const chatRequest = z
  .object({
    ownerId: entityId,
    documentId: entityId.optional(),
    // Said here: the refinement below is not in the JSON Schema (exploratory test).
    messages: z
      .array(chatMessage)
      .min(1)
      .max(100)
      .describe(
        'The conversation, oldest first. The last message must be from the user: otherwise 400 DT_ERR_VALIDATION with errors [{path: "body.messages", message: "the last message must be from the user"}]',
      ),
    stream: z.boolean().optional(),
  })
  .strict()
  .refine((request) => request.messages.at(-1)?.role === 'user', {
    error: 'the last message must be from the user',
    path: ['messages'],
  });
export type ChatRequest = z.infer<typeof chatRequest>;

/**
 * With `documentId`: whether the index holds any of that document. False for
 * one not indexed yet (its reply says no passage answers): the backend tells
 * its user the document is still being indexed instead.
 */
export const documentIndexed = z
  .boolean()
  .describe(
    'With documentId: whether the index holds any of the document (false for one not indexed yet); absent when unknown.',
  );

/** Which provider and model answered, and whether it was a fallback. */
const answerProvenance = {
  provider: z.string().optional(),
  model: z.string().optional(),
  degraded: z.boolean().optional(),
};

export const askResponse = z.object({
  answer: z.string(),
  citations: z.array(citation),
  ...answerProvenance,
  documentsIndexed: z
    .boolean()
    .optional()
    .describe(
      'With up to 20 documentIds: whether the index holds any of them (false while none is indexed yet); absent for more, or none.',
    ),
});
export type AskResponse = z.infer<typeof askResponse>;

export const chatResponse = z.object({
  reply: z.string(),
  citations: z.array(citation),
  ...answerProvenance,
  documentIndexed: documentIndexed.optional(),
});
export type ChatResponse = z.infer<typeof chatResponse>;
