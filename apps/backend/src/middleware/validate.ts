import type { Request } from 'express';
import type * as z from 'zod';
import { problem } from '../errors';

function validationProblem(error: z.ZodError) {
  const errors = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
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
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    if (hasBody) throw problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send application/json.');
    return parseOrThrow(schema, {});
  }
  return parseOrThrow(schema, req.body);
}

export function queryOf<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parseOrThrow(schema, req.query);
}
