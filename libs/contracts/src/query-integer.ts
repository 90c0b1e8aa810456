import * as z from 'zod';

/**
 * A whole number given in a query string, in decimal digits only.
 * `z.coerce.number()` also took `0x5`, `0b11`, `5e0`, `+5` and ` 5`, and called
 * an empty value too small rather than not a number.
 */
export function queryInteger(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return (
    z
      .string()
      .regex(/^\d{1,9}$/, { error })
      // What a client reads in the OpenAPI document, which shows the string's side.
      .meta({ description: `A whole number from ${min} to ${max}` })
      .pipe(z.coerce.number<string>().int().min(min, { error }).max(max, { error }))
  );
}
