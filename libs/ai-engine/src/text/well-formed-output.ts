import { wellFormedText } from '@docuthinker/contracts';

/**
 * A provider's output with every string in it made well-formed, as incoming
 * text is (wellFormedText): a model's NUL or lone surrogate reached task
 * outputs, chat replies and their server-sent events as sent (found in an
 * exploratory test), where the backend stores them and Chroma refuses a lone
 * surrogate. Outputs are small (a summary, a list, a sentiment object); the
 * same value comes back when nothing needed mending.
 */
export function wellFormedOutput<T>(value: T): T {
  if (typeof value === 'string') return wellFormedText(value) as T;
  if (Array.isArray(value)) {
    const mended = value.map(wellFormedOutput);
    return (mended.some((item, index) => item !== value[index]) ? mended : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  let mended: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const fixed = wellFormedOutput(field);
    if (fixed !== field) (mended ??= { ...(value as Record<string, unknown>) })[key] = fixed;
  }
  return (mended ?? value) as T;
}
