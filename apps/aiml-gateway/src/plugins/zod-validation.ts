import type { FastifyInstance } from 'fastify';
import type * as z from 'zod';
import { listedErrors } from '@docuthinker/runtime';
import { problem } from '../errors';

/** Fields that carry a document's text; too much of it is 413, like an oversized body. */
const TEXT_FIELDS = new Set(['text', 'document']);

/** A document's text, or a chat message's (`messages.3.content`), which can be as long. */
function isTextPath(path: readonly PropertyKey[]): boolean {
  return (
    TEXT_FIELDS.has(String(path[0])) ||
    (path[0] === 'messages' && path.length === 3 && path[2] === 'content')
  );
}

function isZodSchema(schema: unknown): schema is z.ZodType {
  return typeof (schema as z.ZodType | undefined)?.safeParse === 'function';
}

/**
 * A field left out reads "is required" rather than zod's "Invalid input:
 * expected string, received undefined"; a left-out `ownerId` says why the
 * service must name one (found in an operator walkthrough: a script with the
 * service token could not tell what it had missed). Other issues keep zod's words.
 */
function missingFieldMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type' || issue.input !== undefined) return undefined;
  return issue.path?.length === 1 && issue.path[0] === 'ownerId'
    ? "is required with the service token (a user's token names its subject)"
    : 'is required';
}

function issuesToErrors(part: string, issues: readonly z.core.$ZodIssue[]) {
  const errors = issues.flatMap((issue) => {
    const at = [part, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'is not allowed' }));
    }
    return [{ path: at.join('.'), message: issue.message }];
  });
  return listedErrors(errors, part);
}

/**
 * Route schemas are the contracts' zod schemas: requests are parsed with
 * them (so trimming and coercion apply), and a failure answers 400
 * problem+json listing each field. Responses are plain JSON; their schemas
 * document the API.
 */
export function registerZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZodSchema(schema)) throw new Error(`route schema for ${httpPart} is not a zod schema`);
    const part = httpPart ?? 'body';
    return (data: unknown) => {
      const result = schema.safeParse(data ?? undefined, { error: missingFieldMessage });
      if (result.success) return { value: result.data };
      const oversized = result.error.issues.filter(
        (issue) => issue.code === 'too_big' && part === 'body' && isTextPath(issue.path),
      );
      if (oversized.length > 0) {
        // Each listed as a 400's fields are, with the same `body.` paths.
        const errors = issuesToErrors(part, oversized);
        const [first] = errors;
        return {
          error: problem(
            'DT_ERR_BODY_TOO_LARGE',
            first ? `${first.path}: ${first.message}` : undefined,
            { errors },
          ),
        };
      }
      return {
        error: problem('DT_ERR_VALIDATION', `the request ${part} does not match the contract`, {
          errors: issuesToErrors(part, result.error.issues),
        }),
      };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
