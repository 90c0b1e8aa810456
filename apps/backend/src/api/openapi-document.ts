import * as z from 'zod';
import { AI_TASK_NAMES } from '@docuthinker/contracts';
import { MAX_JSON_BODY_VALUES } from '@docuthinker/runtime';
import { BACKEND_ERRORS } from '../errors';
import { API_OPERATIONS, type ApiOperation, type DocumentedProblem } from './api-operations';

const PROBLEM = { $ref: '#/components/schemas/Problem' };

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: {
      type: 'string',
      // Examples, not an enum: a client generated from this document must
      // still read a code added later.
      examples: Object.keys(BACKEND_ERRORS),
      description: 'Stable DT_ERR_* code: clients match on it (the examples are every code today)',
    },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Request bodies describe what is accepted; responses what is sent. */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const generated: Record<string, unknown> = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  });
  // The dialect is the document's (OpenAPI 3.1), not repeated per schema.
  delete generated['$schema'];
  return generated;
};

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'task' ? { type: 'string', enum: [...AI_TASK_NAMES] } : { type: 'string' },
  }));
}

function queryParameters(query: z.ZodObject | undefined) {
  if (!query) return [];
  const schema = jsonSchema(query, 'input') as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before sending the same request again',
    schema: { type: 'integer', minimum: 1 },
  },
};

function problemResponse({ when, retryAfter }: DocumentedProblem) {
  return {
    description: when,
    ...(retryAfter ? { headers: RETRY_AFTER } : {}),
    content: { 'application/problem+json': { schema: PROBLEM } },
  };
}

/**
 * Every operation reads or writes the database: while it is out of reach,
 * 503 (domain-problems.ts; review: the document listed it nowhere).
 */
const DATABASE_UNAVAILABLE: DocumentedProblem = {
  status: 503,
  when: 'DT_ERR_STORAGE_UNAVAILABLE: the database cannot be reached for now; send the same request again',
  retryAfter: true,
};

/**
 * What the JSON parser refuses on every operation that takes a body
 * (json-bodies.ts; review: login, register and the profile listed neither).
 */
const JSON_BODY_TOO_LARGE: DocumentedProblem = {
  status: 413,
  when: `DT_ERR_BODY_TOO_LARGE: the JSON body is over its limit (1 MiB; an upload’s and an ad-hoc AI task’s, DOCUTHINKER_MAX_UPLOAD_BYTES) or holds more than ${MAX_JSON_BODY_VALUES.toLocaleString('en-US')} values`,
};
const JSON_BODY_UNSUPPORTED: DocumentedProblem = {
  status: 415,
  when: 'DT_ERR_UNSUPPORTED_MEDIA_TYPE: the body is not JSON in UTF-8, or comes in a content coding other than gzip, deflate or br (Accept-Encoding names them)',
};

/** The parser's refusals, where the operation takes a body and does not describe them itself. */
function jsonBodyProblems(operation: ApiOperation): DocumentedProblem[] {
  if (!operation.body) return [];
  const described = new Set((operation.problems ?? []).map((problem) => problem.status));
  return [JSON_BODY_TOO_LARGE, ...(described.has(415) ? [] : [JSON_BODY_UNSUPPORTED])];
}

/** An operation's problems, one answer per status: the cases of a shared status joined. */
function problemResponses(operation: ApiOperation) {
  const byStatus = new Map<number, DocumentedProblem>();
  const problems = [
    ...(operation.problems ?? []),
    ...jsonBodyProblems(operation),
    DATABASE_UNAVAILABLE,
  ];
  for (const problem of problems) {
    const earlier = byStatus.get(problem.status);
    byStatus.set(
      problem.status,
      earlier
        ? {
            status: problem.status,
            when: `${earlier.when}; or ${problem.when}`,
            retryAfter: earlier.retryAfter === true || problem.retryAfter === true,
          }
        : problem,
    );
  }
  return Object.fromEntries(
    [...byStatus.values()].map((problem) => [String(problem.status), problemResponse(problem)]),
  );
}

/**
 * A JSON read carries Express's weak ETag, and answers 304 without a body
 * when If-None-Match names it (the cached listing's fast path does as well).
 */
const REVALIDATION = {
  etag: {
    description: 'The answer’s weak validator: send it back as If-None-Match to revalidate',
    schema: { type: 'string' },
  },
  ifNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'An ETag of an earlier answer: 304 with no body while it is still current',
    schema: { type: 'string' },
  },
  notModified: { description: 'Not Modified: If-None-Match named the current ETag; no body' },
} as const;

function operationObject(operation: ApiOperation) {
  const status = String(
    operation.status ?? (operation.response || operation.responseMediaType ? 200 : 204),
  );
  const revalidates = operation.method === 'get' && operation.response !== undefined;
  const headers = [
    ...Object.entries(operation.responseHeaders ?? {}).map(([name, { description }]) => [
      name,
      { description, schema: { type: 'string' } },
    ]),
    ...(revalidates ? [['ETag', REVALIDATION.etag]] : []),
  ];
  const success = operation.response
    ? {
        content: {
          'application/json': { schema: jsonSchema(operation.response, 'output') },
          ...(operation.eventStream
            ? {
                'text/event-stream': {
                  schema: {
                    type: 'string',
                    description:
                      'Events in order, sent as the model writes the reply: session {sessionId}, delta {text} (the reply in pieces), done {citations, provider?, model?, degraded?} once the turn is stored. A reply that fails after the events began, or whose turn could not be stored, ends with error instead of done: a problem document (502 DT_ERR_ANSWER_INTERRUPTED when the reply broke off; 404, 401 or 503 when the document or account is gone or storage is down, a 503 with retryAfterSeconds); the deltas sent are incomplete, no turn is stored, and a new session it named does not exist.',
                  },
                },
              }
            : {}),
        },
      }
    : operation.responseMediaType
      ? {
          content: {
            [operation.responseMediaType]: { schema: { type: 'string', format: 'binary' } },
          },
        }
      : {};
  const bodyContent: Record<string, object> = {};
  if (operation.body)
    bodyContent['application/json'] = { schema: jsonSchema(operation.body, 'input') };
  if (operation.multipart)
    bodyContent['multipart/form-data'] = { schema: jsonSchema(operation.multipart, 'input') };
  return {
    summary: operation.summary,
    tags: [operation.tag],
    ...(operation.authenticated ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    parameters: [
      ...pathParameters(operation.path),
      ...queryParameters(operation.query),
      ...(revalidates ? [REVALIDATION.ifNoneMatch] : []),
    ],
    ...(Object.keys(bodyContent).length > 0
      ? { requestBody: { required: operation.bodyOptional !== true, content: bodyContent } }
      : {}),
    responses: {
      [status]: {
        description: 'Success',
        ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
        ...success,
      },
      ...(operation.redirects
        ? { 302: { description: 'Found: the file at a signed URL of the object store' } }
        : {}),
      ...(revalidates ? { 304: REVALIDATION.notModified } : {}),
      ...problemResponses(operation),
      default: {
        description: 'An error (problem+json with a stable DT_ERR_* code)',
        content: { 'application/problem+json': { schema: PROBLEM } },
      },
    },
  };
}

const readinessReport = {
  type: 'object',
  required: ['status', 'dependencies'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    dependencies: { type: 'object', additionalProperties: { type: 'object' } },
  },
};

/** The load balancer's and Prometheus' routes, outside /api and without a token. */
const META_PATHS: Record<string, Record<string, object>> = {
  '/health': {
    get: {
      summary: 'Liveness: answers without calling any dependency',
      tags: ['meta'],
      security: [],
      responses: {
        200: {
          description: 'Alive',
          content: {
            'application/json': {
              schema: { type: 'object', properties: { status: { const: 'ok' } } },
            },
          },
        },
      },
    },
  },
  '/ready': {
    get: {
      summary:
        'Readiness of the data and file stores (Redis and the gateway are not needed to serve)',
      description:
        "A request that came through the load balancer (it carries X-Forwarded-For) gets each dependency's status and latency without its error detail.",
      tags: ['meta'],
      security: [],
      responses: {
        200: {
          description: 'Every store answers',
          content: { 'application/json': { schema: readinessReport } },
        },
        503: {
          description: 'A store does not answer: the same report, status "unavailable"',
          content: { 'application/json': { schema: readinessReport } },
        },
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics',
      description:
        'For scrapers inside the network: a request that came through the load balancer (it carries X-Forwarded-For) is answered 404 like an unknown route.',
      tags: ['meta'],
      security: [],
      responses: {
        200: {
          description: 'The Prometheus text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        404: {
          description: 'The request came through the load balancer',
          content: { 'application/problem+json': { schema: { type: 'object' } } },
        },
      },
    },
  },
};

/** The OpenAPI 3.1 document of the backend, built from the same zod schemas the routes validate with. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, object>> = { ...META_PATHS };
  for (const operation of API_OPERATIONS) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, object>)[operation.method] =
      operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'DocuThinker backend API',
      version: '1.0.0',
      description:
        'Accounts, documents, AI features and chat. Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problemSchema },
    },
  };
}
