import * as z from 'zod';

/**
 * Documentation carried by every environment variable's schema. The README's
 * variable table is checked against it, and problem messages quote `expected`.
 */
export interface EnvVarDoc {
  /** What the variable controls. */
  description: string;
  /** A human description of an accepted value, quoted in error messages. */
  expected: string;
  /** The default as a user would write it, when there is one. */
  defaultValue?: string;
  /** Values that must never reach a log line or an error message. */
  secret?: boolean;
}

export const envVarDocs = z.registry<EnvVarDoc>();

function documented<T extends z.ZodType>(schema: T, doc: EnvVarDoc): T {
  envVarDocs.add(schema, doc);
  return schema;
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

type UrlProtocol = `${string}:`;

/** A URL whose scheme is one of `protocols`; optional because embedded defaults stand in. */
export function optionalUrl(protocols: UrlProtocol[], doc: Omit<EnvVarDoc, 'expected'>) {
  const expected = `a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol as UrlProtocol);
          } catch {
            return false;
          }
        },
        { error: 'is not a valid URL of the accepted kind' },
      )
      .optional(),
  );
  return documented(schema, { ...doc, expected });
}

export function optionalSecret(doc: Omit<EnvVarDoc, 'expected' | 'secret'>, minLength = 1) {
  const expected =
    minLength > 1 ? `a secret of at least ${minLength} characters` : 'a non-empty secret';
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      .min(minLength, { error: `is shorter than ${minLength} characters` })
      .optional(),
  );
  return documented(schema, { ...doc, expected, secret: true });
}

export function optionalText(doc: Omit<EnvVarDoc, 'expected'>, expected = 'a non-empty string') {
  return documented(z.preprocess(blankToUndefined, z.string().optional()), { ...doc, expected });
}

export function textWithDefault(defaultValue: string, doc: Omit<EnvVarDoc, 'expected'>) {
  return documented(z.preprocess(blankToUndefined, z.string().default(defaultValue)), {
    ...doc,
    expected: 'a non-empty string',
    defaultValue,
  });
}

/** true/false/1/0 (any case); anything else is an error rather than a silent false. */
export function booleanFlag(defaultValue: boolean, doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(
    blankToUndefined,
    z
      .stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], case: 'insensitive' })
      .default(defaultValue),
  );
  return documented(schema, {
    ...doc,
    expected: 'true, false, 1 or 0',
    defaultValue: String(defaultValue),
  });
}

export function integerInRange(
  defaultValue: number,
  min: number,
  max: number,
  doc: Omit<EnvVarDoc, 'expected'>,
) {
  const schema = z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+$/, { error: 'is not a whole number' })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: `is below ${min}` })
          .max(max, { error: `is above ${max}` }),
      )
      .default(defaultValue),
  );
  return documented(schema, {
    ...doc,
    expected: `a whole number from ${min} to ${max}`,
    defaultValue: String(defaultValue),
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue: T[number],
  doc: Omit<EnvVarDoc, 'expected'>,
) {
  const schema = z.preprocess(
    blankToUndefined,
    z.enum(values, { error: 'is not one of the accepted values' }).default(defaultValue),
  );
  return documented(schema, { ...doc, expected: `one of ${values.join(', ')}`, defaultValue });
}

/** A comma-separated list, each entry checked against `item`. */
export function commaList<T extends z.ZodType<string>>(item: T, doc: EnvVarDoc) {
  const schema = z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean)
        : value,
    z.array(item, { error: 'is not a comma-separated list' }).optional(),
  );
  return documented(schema, doc);
}
