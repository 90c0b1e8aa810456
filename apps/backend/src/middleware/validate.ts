import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { parse as parseQueryString } from 'node:querystring';
import type * as z from 'zod';
import { announcesBody, listedErrors } from '@docuthinker/runtime';
import { problem } from '../errors';

// A body of thousands of unknown keys is one issue whose message names them all.
const MAX_MESSAGE_CHARS = 200;

function validationProblem(error: z.ZodError) {
  const errors = listedErrors(
    error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message:
        issue.message.length > MAX_MESSAGE_CHARS
          ? `${issue.message.slice(0, MAX_MESSAGE_CHARS).toWellFormed()}…`
          : issue.message,
    })),
    '(root)',
  );
  return problem('DT_ERR_VALIDATION', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
    errors,
  });
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error);
  return parsed.data;
}

/**
 * The JSON body, validated. A body in another format is a 415; no body at
 * all counts as `{}`, so routes whose fields are all optional need none.
 */
export function jsonBody<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  if (req.body === undefined) {
    if (announcesBody(req.headers))
      throw problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send application/json.');
    return parseOrThrow(schema, {});
  }
  return parseOrThrow(schema, req.body);
}

/** Distinct query strings remembered per schema; a miss only costs one parse. */
const MAX_QUERIES_PER_SCHEMA = 1000;
const MAX_QUERY_LENGTH = 2048;

const parsedQueries = new WeakMap<z.ZodType, LRUCache<string, object>>();

/**
 * The query, validated. Clients repeat the same query string (a listing with
 * the same limit), and parsing and validating it again was a measurable share
 * of a cached listing, so a query string that passed is remembered per
 * schema. The query schemas are pure functions of the string (no defaults
 * from the clock), and what is remembered is frozen, so a route cannot
 * change what the next request gets.
 */
export function queryOf<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const raw = queryStringOf(req.url);
  if (raw.length > MAX_QUERY_LENGTH) return parseOrThrow(schema, checkedQuery(raw, req.query));
  const known = rememberedQueries(schema).get(raw);
  if (known !== undefined) return known as z.output<S>;
  return remember(schema, raw, parseOrThrow(schema, checkedQuery(raw, req.query)));
}

/**
 * `query`, parsed from `raw`, once `raw` is known to be valid percent-encoded
 * UTF-8. node:querystring decodes leniently: "%E0%A4%A" (a character cut
 * short) became "\uFFFD%A", and a content search for it listed every
 * document with a word starting with "a" (exploratory test). The path's
 * parameters are refused alike (problem-responses.ts).
 */
function checkedQuery(raw: string, query: unknown): unknown {
  if (!isValidPercentEncoding(raw)) {
    throw problem('DT_ERR_VALIDATION', 'The query string is not valid percent-encoded UTF-8.');
  }
  return query;
}

function isValidPercentEncoding(raw: string): boolean {
  if (!raw.includes('%')) return true;
  try {
    decodeURIComponent(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * The query of a URL that has not been through Express, validated, or
 * undefined when it does not pass: for a caller that leaves every refusal
 * to the Express route. It parses as Express 5's default ("simple") query
 * parser does, node:querystring, and shares `queryOf`'s memory.
 */
export function validQueryOf<S extends z.ZodType>(url: string, schema: S): z.output<S> | undefined {
  const raw = queryStringOf(url);
  if (raw.length > MAX_QUERY_LENGTH) return undefined;
  const known = rememberedQueries(schema).get(raw);
  if (known !== undefined) return known as z.output<S>;
  if (!isValidPercentEncoding(raw)) return undefined;
  const parsed = schema.safeParse(parseQueryString(raw));
  return parsed.success ? remember(schema, raw, parsed.data as z.output<S>) : undefined;
}

function queryStringOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

function rememberedQueries(schema: z.ZodType): LRUCache<string, object> {
  let remembered = parsedQueries.get(schema);
  if (!remembered) {
    remembered = new LRUCache<string, object>({ max: MAX_QUERIES_PER_SCHEMA });
    parsedQueries.set(schema, remembered);
  }
  return remembered;
}

function remember<T>(schema: z.ZodType, raw: string, parsed: T): T {
  if (typeof parsed === 'object' && parsed !== null) {
    rememberedQueries(schema).set(raw, Object.freeze(parsed));
  }
  return parsed;
}
