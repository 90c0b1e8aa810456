import * as z from 'zod';
import { MAX_CHAT_MESSAGE_CHARS, queryInteger, visibleTextField } from '@docuthinker/contracts';
import { CHAT_ROLES } from '@docuthinker/stores';

export const chatBody = z
  .object({
    message: visibleTextField(MAX_CHAT_MESSAGE_CHARS),
    sessionId: z.string().min(1).max(128).optional(),
  })
  .strict();

const chatCitation = z.object({ documentId: z.string(), chunkId: z.string(), snippet: z.string() });

/** Which provider and model answered, and whether it was the offline fallback (when the gateway says). */
const answerProvenance = {
  provider: z.string().optional(),
  model: z.string().optional(),
  degraded: z.boolean().optional(),
};

export const chatReply = z.object({
  reply: z.string(),
  sessionId: z.string(),
  citations: z.array(chatCitation),
  ...answerProvenance,
});

export const sessionIdParam = z.object({ sessionId: z.string() });

export const chatSessionListQuery = z
  .object({
    documentId: z.string().min(1).max(128).optional(),
    limit: queryInteger(1, 100).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();

export const chatSessionList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      documentId: z.string(),
      /** Absent only for a document deleted while the list was read (its sessions go with it). */
      documentTitle: z.string().optional(),
      messageCount: z.number().int(),
      createdAt: z.iso.datetime(),
      lastActivityAt: z.iso.datetime(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const chatSessionView = z.object({
  documentId: z.string(),
  messages: z.array(
    z.object({ role: z.enum(CHAT_ROLES), content: z.string(), createdAt: z.iso.datetime() }),
  ),
});

export const askBody = z
  .object({
    question: visibleTextField(2_000),
    documentIds: z.array(z.string().min(1).max(128)).min(1).max(500).optional(),
  })
  .strict();

export const askAnswer = z.object({
  answer: z.string(),
  citations: z.array(
    z.object({
      documentId: z.string(),
      title: z.string(),
      chunkId: z.string(),
      snippet: z.string(),
      score: z.number(),
    }),
  ),
  ...answerProvenance,
});
