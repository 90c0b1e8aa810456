import * as z from 'zod';
import { entityId } from '../src';

/** The patterns a JSON schema of the id holds, as the OpenAPI document publishes them. */
function publishedPatterns(): RegExp[] {
  const schema = z.toJSONSchema(entityId) as { pattern?: string; allOf?: { pattern?: string }[] };
  return [schema.pattern, ...(schema.allOf ?? []).map((part) => part.pattern)]
    .filter((pattern): pattern is string => pattern !== undefined)
    .map((pattern) => new RegExp(pattern, 'u'));
}

// Found in an exploratory test: the OpenAPI document allowed `.` and `..`,
// which the gateway refuses (a refinement, which JSON schema cannot carry).
describe('entityId as published', () => {
  it.each(['.', '..', 'a b', 'a/b', ''])('refuses %p in the schema as in the contract', (id) => {
    expect(entityId.safeParse(id).success).toBe(false);
    const accepted = publishedPatterns().every((pattern) => pattern.test(id));
    expect(accepted && id.length >= 1).toBe(false);
  });

  it.each(['...', 'a.', '.a', 'doc-1', 'user:42', 'a_b.c'])('accepts %p in both', (id) => {
    expect(entityId.safeParse(id).success).toBe(true);
    expect(publishedPatterns().every((pattern) => pattern.test(id))).toBe(true);
  });
});
