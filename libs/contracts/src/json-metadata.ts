import * as z from 'zod';

/** Deeper than any real metadata; shallow enough that no recursive walk overflows. */
export const MAX_METADATA_DEPTH = 32;

/**
 * True when `value` nests objects and arrays deeper than `maxDepth`. Walks
 * with an explicit stack: a recursive walk is exactly what a 100,000-level
 * body would overflow.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Free-form metadata a caller attaches to a request. JSON.parse accepts any
 * depth, but later steps (serialising, logging, storing) recurse, so a body
 * nested 100,000 levels deep is refused at validation as a 400.
 */
export const jsonMetadata = z
  .record(z.string(), z.unknown())
  .refine((value) => !nestsDeeperThan(value, MAX_METADATA_DEPTH), {
    error: `must not nest more than ${MAX_METADATA_DEPTH} levels deep`,
  });
