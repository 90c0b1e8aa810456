import * as z from 'zod';
import { queryInteger, titleField, visibleTextField } from '@docuthinker/contracts';
import { DEFAULT_DOCUMENT_LIMITS } from '@docuthinker/documents';
import { distinctSearchWords, INDEX_STATUSES, MAX_SEARCH_WORDS } from '@docuthinker/stores';

/** A document's title (see titleField); the upload form words its refusal of a longer one alike. */
export const documentTitle = titleField(300);

/** The longest text an upload may hold, a file's extracted text or JSON `text` (the extractor's limit). */
export const MAX_UPLOAD_TEXT_CHARS = DEFAULT_DOCUMENT_LIMITS.maxTextChars;

// The length is documented, not validated here: the extractor counts it, as
// it does a file's text, and a longer text is 413 DT_ERR_FILE_TOO_LARGE
// (found in an exploratory test: the document gave no limit at all).
// Made well-formed by the route, once it has asked whether it shows anything.
const uploadText = z
  .string()
  .min(1, { error: 'must not be empty' })
  .meta({
    maxLength: MAX_UPLOAD_TEXT_CHARS,
    description: `At most ${MAX_UPLOAD_TEXT_CHARS.toLocaleString('en-US')} characters: a longer text is 413 DT_ERR_FILE_TOO_LARGE`,
  });

export const textDocumentBody = z.object({ title: documentTitle, text: uploadText }).strict();

export const uploadForm = z
  .object({
    file: z.string().describe('The document (PDF, DOCX, TXT, Markdown, HTML, CSV or JSON)'),
    title: documentTitle.optional(),
  })
  .meta({ description: 'multipart/form-data' });

export const documentMetadata = z.object({
  id: z.string(),
  title: z.string(),
  fileType: z.string(),
  size: z.number().int(),
  pages: z.number().int().optional(),
  createdAt: z.iso.datetime(),
  summary: z.string(),
  summaryDegraded: z
    .boolean()
    .describe('True while the summary is a local extract, before the AI summary replaces it'),
  indexStatus: z.enum(INDEX_STATUSES),
});

export const documentDetail = documentMetadata.extend({
  text: z.string(),
  html: z.string().optional(),
});

export const documentListQuery = z
  .object({
    limit: queryInteger(1, 100).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();

export const documentList = z.object({
  items: z.array(documentMetadata.omit({ pages: true })),
  nextCursor: z.string().nullable(),
});

export const documentUpdateBody = z.object({ title: documentTitle }).strict();

export const SEARCH_MODES = ['title', 'content', 'semantic'] as const;

export const documentSearchQuery = z
  .object({
    // A query that shows nothing (zero-width characters, controls) finds
    // nothing in any mode; semantic search sent it on and answered the
    // gateway's refusal as an outage (found in review).
    q: visibleTextField(500),
    mode: z.enum(SEARCH_MODES).default('content'),
    limit: queryInteger(1, 50).default(10),
  })
  .strict()
  .superRefine(({ q, mode }, context) => {
    // Every word must match; past the count the stores match, one was dropped.
    if (mode !== 'semantic' && distinctSearchWords(q).length > MAX_SEARCH_WORDS) {
      context.addIssue({
        code: 'custom',
        path: ['q'],
        message: `a ${mode} search matches at most ${MAX_SEARCH_WORDS} distinct words`,
      });
    }
  });

export const documentSearchResult = z.object({
  items: z.array(
    z.object({ id: z.string(), title: z.string(), snippet: z.string(), score: z.number() }),
  ),
  mode: z.enum(SEARCH_MODES).describe('The mode that produced the results'),
  degraded: z
    .boolean()
    .describe('True when semantic search was unavailable and content search answered instead'),
});
