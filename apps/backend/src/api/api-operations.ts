import * as z from 'zod';
import {
  loginBody,
  passwordChangeBody,
  profileResponse,
  profileUpdateBody,
  registerBody,
  sessionResponse,
} from './account-schemas';
import { aiTaskOptions, aiTaskResult, textTaskBody } from './ai-schemas';
import {
  askAnswer,
  askBody,
  chatBody,
  chatReply,
  chatSessionList,
  chatSessionListQuery,
  chatSessionView,
} from './chat-schemas';
import {
  documentDetail,
  documentList,
  documentListQuery,
  documentMetadata,
  documentSearchQuery,
  documentSearchResult,
  documentUpdateBody,
  MAX_UPLOAD_TEXT_CHARS,
  textDocumentBody,
  uploadForm,
} from './document-schemas';

/** An error answer a client is expected to handle, beyond validation (400) and tokens (401). */
export interface DocumentedProblem {
  readonly status: number;
  /** When it is answered, with its DT_ERR_* codes. */
  readonly when: string;
  /** The answer carries Retry-After (seconds). */
  readonly retryAfter?: boolean;
}

/** A header of a success answer: what it holds. */
export interface DocumentedHeader {
  readonly description: string;
}

/** A body as large as an upload that arrives too slowly (slow-body-cutoff.ts). */
const BODY_TOO_SLOW: DocumentedProblem = {
  status: 408,
  when: 'DT_ERR_REQUEST_TIMEOUT: after 20 s the body averaged under 500 bytes a second, or under the pace that brings its Content-Length (without one, the largest upload) within 5 minutes; nothing was stored, and the user’s next large body waits a minute (429)',
};

/** The per-user limit of AI calls (tasks, chat, ask, uploads that embed, semantic search, renames). */
const AI_CALLS_SPENT: DocumentedProblem = {
  status: 429,
  when: 'DT_ERR_RATE_LIMITED: the user’s AI calls per minute are spent (or, for a body as large as an upload, two of the user’s are being read, or one was cut off for its pace within the last minute)',
  retryAfter: true,
};

/** A call the gateway refused: its reason is logged, not shown (README). */
const AI_REJECTED: DocumentedProblem = {
  status: 502,
  when: 'DT_ERR_AI_REJECTED: the AI/ML gateway refused the request (its reason is logged, not shown)',
};

/** Every AI call answered by the gateway: the per-user limit, its refusals and its outages. */
const AI_CALL_PROBLEMS: readonly DocumentedProblem[] = [
  AI_CALLS_SPENT,
  AI_REJECTED,
  {
    status: 503,
    when: 'DT_ERR_AI_UNAVAILABLE: the AI/ML gateway, or every provider behind it, is down (DT_ERR_BUSY: too many large bodies are being read)',
    retryAfter: true,
  },
];

/** Chat and ask need the gateway's vector index, which a deployment may switch off. */
const VECTOR_INDEX_OFF: DocumentedProblem = {
  status: 501,
  when: 'DT_ERR_FEATURE_DISABLED: this deployment has switched off the vector index chat and ask need (the gateway runs with DOCUTHINKER_SYNC_VECTOR=false)',
};

/** Too many attempts from the client's address or on the account. */
function rateLimited(what: string): DocumentedProblem {
  return { status: 429, when: `DT_ERR_RATE_LIMITED: ${what}`, retryAfter: true };
}

export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/documents/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** False for register and login; everything else needs a bearer token. */
  authenticated: boolean;
  body?: z.ZodType;
  /** Alternative body media types, e.g. multipart uploads. */
  multipart?: z.ZodType;
  query?: z.ZodObject;
  /** Absent: 204 No Content. */
  response?: z.ZodType;
  status?: number;
  /** Non-JSON success answers (files): 200 with this media type. */
  responseMediaType?: string;
  /** Headers of the success answer a client may read, by name. */
  responseHeaders?: Readonly<Record<string, DocumentedHeader>>;
  /** The answer may instead be a 302 to a signed URL of the file. */
  redirects?: boolean;
  /** The JSON answer can also come as server-sent events (`Accept: text/event-stream`). */
  eventStream?: boolean;
  /** The body may be left out (every field in it is optional). */
  bodyOptional?: boolean;
  /** Error answers a client should expect besides 400, 401 and 404. */
  problems?: readonly DocumentedProblem[];
}

/**
 * Every route of the public API with the zod schemas its handler validates
 * with: the single source /openapi.json is generated from.
 */
export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    summary: 'Create an account (rate-limited per IP)',
    tag: 'accounts',
    authenticated: false,
    body: registerBody,
    response: sessionResponse,
    status: 201,
    problems: [
      { status: 409, when: 'DT_ERR_EMAIL_TAKEN: an account with this email exists' },
      rateLimited('the sign-ups allowed from the client’s address this hour are spent'),
    ],
  },
  {
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in (rate-limited per IP and per email)',
    tag: 'accounts',
    authenticated: false,
    body: loginBody,
    response: sessionResponse,
    problems: [
      rateLimited(
        'too many attempts from the client’s address, or on the account from addresses it has not signed in from',
      ),
    ],
  },
  {
    method: 'get',
    path: '/api/me',
    summary: 'The current user',
    tag: 'accounts',
    authenticated: true,
    response: profileResponse,
  },
  {
    method: 'patch',
    path: '/api/me',
    summary: 'Update theme and social links (merged)',
    tag: 'accounts',
    authenticated: true,
    body: profileUpdateBody,
    response: profileResponse,
  },
  {
    method: 'put',
    path: '/api/me/password',
    summary: 'Change the password; every session ends (sign in again with the new one)',
    tag: 'accounts',
    authenticated: true,
    body: passwordChangeBody,
    problems: [
      { status: 403, when: 'DT_ERR_CURRENT_PASSWORD_WRONG: currentPassword is not the account’s' },
      rateLimited('too many wrong current passwords on the account'),
    ],
  },
  {
    method: 'delete',
    path: '/api/me',
    summary: 'Delete the account and everything it owns',
    tag: 'accounts',
    authenticated: true,
    problems: [
      {
        status: 503,
        when: 'DT_ERR_STORAGE_UNAVAILABLE: the file store is down; the account is kept, send the same request again',
        retryAfter: true,
      },
    ],
  },
  {
    method: 'post',
    path: '/api/documents',
    summary:
      'Upload a document (multipart file or JSON text; indexing it is an AI call, rate-limited per user)',
    tag: 'documents',
    authenticated: true,
    body: textDocumentBody,
    multipart: uploadForm,
    response: documentMetadata,
    status: 201,
    responseHeaders: {
      Location: { description: 'The new document’s path, /api/documents/{id}' },
    },
    problems: [
      BODY_TOO_SLOW,
      {
        status: 413,
        when: `DT_ERR_FILE_TOO_LARGE: the file is over the upload limit (DOCUTHINKER_MAX_UPLOAD_BYTES), inflates beyond it, or its text (a file’s or JSON \`text\`) is longer than ${MAX_UPLOAD_TEXT_CHARS.toLocaleString('en-US')} characters. Nothing was stored`,
      },
      {
        status: 415,
        when: 'DT_ERR_UNSUPPORTED_TYPE: not a PDF, DOCX or text format; DT_ERR_UNSUPPORTED_MEDIA_TYPE: a body neither multipart nor JSON, or in a content coding other than gzip, deflate or br (Accept-Encoding names them)',
      },
      {
        status: 422,
        when: 'DT_ERR_CORRUPT_FILE, DT_ERR_ENCRYPTED_FILE, DT_ERR_EMPTY_DOCUMENT, DT_ERR_EXTRACTION_TIMEOUT, DT_ERR_EXTRACTION_MEMORY: no text could be read',
      },
      AI_CALLS_SPENT,
      {
        status: 503,
        when: 'DT_ERR_BUSY (too many uploads being read) or DT_ERR_STORAGE_UNAVAILABLE: nothing was stored',
        retryAfter: true,
      },
    ],
  },
  {
    method: 'get',
    path: '/api/documents',
    summary: 'List documents, newest first',
    tag: 'documents',
    authenticated: true,
    query: documentListQuery,
    response: documentList,
  },
  {
    method: 'delete',
    path: '/api/documents',
    summary: 'Delete all of the user’s documents',
    tag: 'documents',
    authenticated: true,
  },
  {
    method: 'get',
    path: '/api/documents/search',
    summary: 'Search by title, content or meaning (by meaning: an AI call, rate-limited per user)',
    tag: 'documents',
    authenticated: true,
    query: documentSearchQuery,
    response: documentSearchResult,
    // By meaning with the gateway down, the answer is a content search marked degraded.
    problems: [AI_CALLS_SPENT, AI_REJECTED],
  },
  {
    method: 'get',
    path: '/api/documents/{id}',
    summary: 'A document with its text',
    tag: 'documents',
    authenticated: true,
    response: documentDetail,
  },
  {
    method: 'get',
    path: '/api/documents/{id}/file',
    summary: 'The original file, in its own media type (or a redirect to a signed URL)',
    tag: 'documents',
    authenticated: true,
    // application/pdf, the DOCX type, text/plain, ...: whichever the file is.
    responseMediaType: '*/*',
    responseHeaders: {
      'Content-Disposition': {
        description:
          'attachment with the file’s name (RFC 6266): `filename` with each non-ASCII character and `"` as `_`, `filename*` in UTF-8; a `/` or `\\` in the name is `_` in both',
      },
    },
    redirects: true,
  },
  {
    method: 'patch',
    path: '/api/documents/{id}',
    summary: 'Rename a document (re-indexes it: an AI call, rate-limited per user)',
    tag: 'documents',
    authenticated: true,
    body: documentUpdateBody,
    response: documentMetadata,
    problems: [AI_CALLS_SPENT],
  },
  {
    method: 'delete',
    path: '/api/documents/{id}',
    summary: 'Delete a document',
    tag: 'documents',
    authenticated: true,
  },
  {
    method: 'post',
    path: '/api/documents/{id}/ai/{task}',
    summary: 'Run an AI task on a stored document (an AI call, rate-limited per user)',
    tag: 'ai',
    authenticated: true,
    body: aiTaskOptions,
    bodyOptional: true,
    response: aiTaskResult,
    problems: [
      { status: 501, when: 'DT_ERR_TASK_UNSUPPORTED: no configured provider runs the task' },
      ...AI_CALL_PROBLEMS,
    ],
  },
  {
    method: 'post',
    path: '/api/ai/{task}',
    summary: 'Run an AI task on ad-hoc text (an AI call, rate-limited per user)',
    tag: 'ai',
    authenticated: true,
    body: textTaskBody,
    response: aiTaskResult,
    problems: [
      BODY_TOO_SLOW,
      { status: 501, when: 'DT_ERR_TASK_UNSUPPORTED: no configured provider runs the task' },
      ...AI_CALL_PROBLEMS,
    ],
  },
  {
    method: 'post',
    path: '/api/documents/{id}/chat',
    summary:
      'Chat about a document (SSE with Accept: text/event-stream; an AI call, rate-limited per user)',
    tag: 'chat',
    authenticated: true,
    body: chatBody,
    response: chatReply,
    eventStream: true,
    problems: [
      {
        status: 409,
        when: 'DT_ERR_DOCUMENT_NOT_INDEXED: the document is still being indexed (with Retry-After), or could not be (without); nothing is stored',
        retryAfter: true,
      },
      VECTOR_INDEX_OFF,
      ...AI_CALL_PROBLEMS,
    ],
  },
  {
    method: 'get',
    path: '/api/chat/sessions',
    summary:
      'The user’s chat sessions, most recently active first, a page at a time (optionally about one document)',
    tag: 'chat',
    authenticated: true,
    query: chatSessionListQuery,
    response: chatSessionList,
  },
  {
    method: 'get',
    path: '/api/chat/sessions/{sessionId}',
    summary: 'A chat session’s history (its latest 200 messages)',
    tag: 'chat',
    authenticated: true,
    response: chatSessionView,
  },
  {
    method: 'delete',
    path: '/api/chat/sessions/{sessionId}',
    summary: 'Delete a chat session and its messages',
    tag: 'chat',
    authenticated: true,
  },
  {
    method: 'post',
    path: '/api/ask',
    summary: 'Ask a question over the user’s documents (an AI call, rate-limited per user)',
    tag: 'chat',
    authenticated: true,
    body: askBody,
    response: askAnswer,
    problems: [
      {
        status: 409,
        when: 'DT_ERR_DOCUMENT_NOT_INDEXED: none of the documents named is indexed yet (with Retry-After), or all failed to be (without)',
        retryAfter: true,
      },
      VECTOR_INDEX_OFF,
      ...AI_CALL_PROBLEMS,
    ],
  },
];
