import * as z from 'zod';
import { visibleTextField } from './well-formed-text';
import { MAX_TEXT_CHARS } from './ai-tasks';
import { jsonMetadata } from './json-metadata';
import { indexRequest } from './retrieval';

const indexTitle = indexRequest.shape.title;

/** With `document_id` the document is indexed, under `title` when there is one. */
function indexesTitle(metadata: Record<string, unknown>): boolean {
  return metadata['document_id'] !== undefined && metadata['title'] !== undefined;
}

/**
 * Free-form metadata, except the `title` of a document that is indexed: it
 * follows the index route's rules for a title (well formed, trimmed, 1–500
 * characters) instead of reaching the stores as sent. Without `document_id`
 * nothing is indexed, and every key, `title` included (`null`, say), passes
 * through as it came, as before.
 */
const analyzeMetadata = jsonMetadata
  .superRefine((metadata, context) => {
    if (!indexesTitle(metadata)) return;
    const title = indexTitle.safeParse(metadata['title']);
    for (const issue of title.error?.issues ?? []) {
      context.addIssue({ ...issue, path: ['title', ...issue.path] } as z.core.$ZodRawIssue);
    }
  })
  .transform((metadata) =>
    indexesTitle(metadata) ? { ...metadata, title: indexTitle.parse(metadata['title']) } : metadata,
  )
  // The rules above are conditional, which a JSON schema of the keys cannot
  // say: the OpenAPI document says them in words.
  .describe(
    'Free-form JSON, passed on to the container. With `document_id` (an id: 1–128 letters, digits or `. _ : -`, not `.` or `..`) the document is also indexed, for a user token’s subject or, when the service calls, for `owner_id` (an id, then required); a user’s `owner_id`, if given, must name the subject (403 for another owner’s id, 400 for a value that is no id). With `document_id`, a `title` must be text of 1–500 characters that shows something.',
  );

/**
 * `POST /analyze`, the FastAPI AI/ML container's contract, served by the
 * gateway (proxied to the container when one is configured).
 */
export const analyzeRequest = z
  .object({
    document: visibleTextField(MAX_TEXT_CHARS),
    question: visibleTextField(2_000).optional(),
    translate_lang: visibleTextField(64).optional(),
    metadata: analyzeMetadata.optional(),
  })
  .strict();
export type AnalyzeRequest = z.infer<typeof analyzeRequest>;

const syncState = z.enum(['indexed', 'disabled', 'skipped']);

export const analyzeResponse = z
  .object({
    summary: z.string(),
    topics: z.array(z.string()),
    qa: z.string().nullable(),
    discussion: z.array(z.string()),
    insights: z.array(z.string()),
    document_id: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    sentiment: z.object({ label: z.string(), confidence: z.number(), rationale: z.string() }),
    translation: z.string().nullable(),
    rag: z.object({
      overview: z.string(),
      key_topics: z.array(z.string()),
      qa_answer: z.string().nullable(),
      supporting_context: z.array(z.string()),
      citations: z.array(z.object({ chunk_id: z.string(), snippet: z.string() })),
    }),
    sync: z.object({ graph: syncState, vector_store: syncState }),
    /** Gateway additions (the container's answers omit them): who served each part. */
    providers: z.record(z.string(), z.string()).optional(),
    degraded: z.boolean().optional(),
  })
  .passthrough();
export type AnalyzeResponse = z.infer<typeof analyzeResponse>;
