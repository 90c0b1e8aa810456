import type { FastifyInstance, RouteOptions } from 'fastify';
import * as z from 'zod';
import { problemDocument } from '@docuthinker/contracts';
import { GATEWAY_ERRORS, type GatewayErrorCode } from '../errors';

declare module 'fastify' {
  interface FastifySchema {
    /** A route with a summary is documented in /openapi.json. */
    summary?: string;
    description?: string;
    tags?: readonly string[];
    /**
     * The route can also answer with server-sent events: these, in the order
     * they come, each with the schema of its `data`.
     */
    eventStream?: Readonly<Record<string, unknown>>;
    /** Problem statuses of this route beyond those every route of its kind has. */
    problems?: readonly number[];
    /**
     * Other answers that are not problems, by status: what they mean. One
     * with a `response` schema of its status is documented as that JSON.
     */
    alsoAnswers?: Readonly<Record<number, string>>;
    /** The 200 answer is text of this media type, not JSON (Prometheus' metrics). */
    responseMediaType?: string;
  }
}

type JsonSchema = Record<string, unknown>;

interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown>;
  readonly authenticated: boolean;
  readonly ownerScoped: boolean;
  /** Counted against a user token's AI calls per minute (429 beyond them). */
  readonly aiCall: boolean;
  /** A query or body the route does not take is refused (undeclared-request-parts.ts). */
  readonly refusesUndeclaredParts: boolean;
}

/** What a watched scope's routes share. */
interface ScopeAccess {
  readonly authenticated: boolean;
  /** The scope refuses a query or body its routes do not take, with 400. */
  readonly refusesUndeclaredParts: boolean;
}

function jsonSchema(schema: unknown, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema as z.ZodType, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  // The document declares its dialect once (OpenAPI 3.1 is JSON Schema 2020-12).
  delete generated['$schema'];
  return generated;
}

/**
 * A stream of server-sent events: its text, and in `x-events` the schema of
 * each event's JSON `data`, by event name, in the order the events come
 * (OpenAPI 3.1 has no way to describe the items of a stream).
 */
function eventStreamMedia(events: unknown): JsonSchema {
  const entries = Object.entries(events as Record<string, unknown>);
  return {
    schema: {
      type: 'string',
      description: `Server-sent events, in order: ${entries.map(([name]) => name).join(', ')}; each event's data is one line of JSON, described by x-events.`,
    },
    'x-events': Object.fromEntries(
      entries.map(([name, data]) => [name, jsonSchema(data, 'output')]),
    ),
  };
}

/** The problem document, its `code` with every code the gateway answers today as examples. */
function problemSchema(): JsonSchema {
  const schema = jsonSchema(problemDocument, 'output') as JsonSchema & {
    properties: Record<string, JsonSchema>;
  };
  schema.properties['code'] = {
    ...schema.properties['code'],
    // Examples, not an enum: a client generated from this document must
    // still read a code added later.
    examples: Object.keys(GATEWAY_ERRORS),
    description: 'Stable DT_ERR_* code: clients match on it (the examples are every code today)',
  };
  return schema;
}

function parameters(schema: unknown, location: 'path' | 'query') {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    schema: property,
  }));
}

/**
 * Problems only an engine operation answers. The meta routes run none (the
 * probes report a failing store rather than throw), and an index of another
 * embedding model is found as the engine connects, which then exits.
 */
const ENGINE_OPERATION_PROBLEMS: ReadonlySet<string> = new Set<GatewayErrorCode>([
  'DT_ERR_EMBEDDING_MISMATCH',
]);

/** Every 429 and 503 problem says when to try again: the call limit's window, a store's or provider's pause. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before sending the same request again',
    schema: { type: 'integer', minimum: 1 },
  },
};

const problemResponse = (status: number, route: DocumentedRoute) => ({
  description: Object.entries(GATEWAY_ERRORS)
    .filter(
      ([code, entry]) =>
        entry.status === status && (route.authenticated || !ENGINE_OPERATION_PROBLEMS.has(code)),
    )
    .map(([, entry]) => entry.title)
    .join('; '),
  ...(RETRY_AFTER_STATUSES.has(status) ? { headers: RETRY_AFTER } : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const OWNER_ID_DESCRIPTION =
  "Required with the service token. With a user's access token the owner is the token's subject: leave it out, or give the subject (anything else is 403).";

/** A user token's request may leave `ownerId` out (the owner-scope hook fills it in). */
function ownerIdOptional(schema: JsonSchema): JsonSchema {
  const { properties, required } = schema as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  if (!properties?.['ownerId']) return schema;
  return {
    ...schema,
    properties: {
      ...properties,
      ownerId: { ...properties['ownerId'], description: OWNER_ID_DESCRIPTION },
    },
    ...(required ? { required: required.filter((name) => name !== 'ownerId') } : {}),
  };
}

function operation(route: DocumentedRoute) {
  const { schema } = route;
  const responses = (schema['response'] as Record<number, unknown> | undefined) ?? {};
  const response = responses[200];
  // Fastify reads the body of every method but GET and HEAD: a DELETE's too,
  // which its parser refuses (too large, not JSON) before the route refuses
  // any body at all (400), and Node's request timeout cuts one that trickles.
  const readsBody = Boolean(schema['body']) || route.method === 'delete';
  const statuses = [
    ...new Set([
      ...(schema['body'] ||
      schema['querystring'] ||
      schema['params'] ||
      route.refusesUndeclaredParts
        ? [400]
        : []),
      // A path parameter longer than the router takes (maxParamLength).
      ...(schema['params'] ? [414] : []),
      ...(route.authenticated ? [401] : []),
      ...(route.ownerScoped ? [403] : []),
      ...(route.aiCall ? [429] : []),
      ...(readsBody ? [408, 413, 415] : []),
      ...((schema['problems'] as readonly number[] | undefined) ?? []),
      500,
      // Every API route needs the engine, which may still be connecting to its stores.
      ...(route.authenticated ? [503] : []),
    ]),
  ].sort((a, b) => a - b);
  const alsoAnswers = (schema['alsoAnswers'] as Record<number, string> | undefined) ?? {};
  const ownerScopedQuery = (parameter: { name: string; in: string; required: boolean }) =>
    route.ownerScoped && parameter.name === 'ownerId'
      ? { ...parameter, required: false, description: OWNER_ID_DESCRIPTION }
      : parameter;
  const body = schema['body'] ? jsonSchema(schema['body'], 'input') : undefined;
  return {
    summary: schema['summary'],
    ...(schema['description'] ? { description: schema['description'] } : {}),
    tags: schema['tags'],
    security: route.authenticated ? [{ bearer: [] }] : [],
    parameters: [
      ...parameters(schema['params'], 'path'),
      ...parameters(schema['querystring'], 'query').map(ownerScopedQuery),
    ],
    ...(body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: route.ownerScoped ? ownerIdOptional(body) : body },
            },
          },
        }
      : {}),
    responses: {
      200: {
        description: 'OK',
        ...(response
          ? {
              content: {
                'application/json': { schema: jsonSchema(response, 'output') },
                ...(schema['eventStream']
                  ? { 'text/event-stream': eventStreamMedia(schema['eventStream']) }
                  : {}),
              },
            }
          : schema['responseMediaType']
            ? {
                content: {
                  [schema['responseMediaType'] as string]: { schema: { type: 'string' } },
                },
              }
            : {}),
      },
      ...Object.fromEntries(statuses.map((status) => [status, problemResponse(status, route)])),
      ...Object.fromEntries(
        Object.entries(alsoAnswers).map(([status, description]) => {
          const body = responses[Number(status)];
          return [
            status,
            {
              description,
              ...(body
                ? { content: { 'application/json': { schema: jsonSchema(body, 'output') } } }
                : {}),
            },
          ];
        }),
      ),
    },
  };
}

/**
 * Builds the OpenAPI 3.1 document from the routes' own zod schemas, so the
 * documentation is the validation. Scopes are watched as they register
 * routes; the document is built once, after the app is ready.
 */
export class OpenApiDocument {
  private readonly routes: DocumentedRoute[] = [];
  private built?: JsonSchema;

  constructor(private readonly info: { title: string; version: string }) {}

  watch(scope: FastifyInstance, access: ScopeAccess): void {
    scope.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema as Record<string, unknown> | undefined;
      if (!schema?.['summary']) return;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        this.routes.push({
          method: method.toLowerCase(),
          url: route.url,
          schema,
          authenticated: access.authenticated,
          refusesUndeclaredParts: access.refusesUndeclaredParts,
          ownerScoped: route.config?.ownerIn !== undefined,
          aiCall: Boolean(route.config?.aiCall),
        });
      }
    });
  }

  document(): JsonSchema {
    this.built ??= this.build();
    return this.built;
  }

  private build(): JsonSchema {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      paths[path] = { ...paths[path], [route.method]: operation(route) };
    }
    return {
      openapi: '3.1.0',
      info: this.info,
      paths,
      components: {
        schemas: { Problem: problemSchema() },
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              "The service token (the backend; `ownerId` in the request is trusted) or a user's access token (the owner is its subject)",
          },
        },
      },
    };
  }
}
