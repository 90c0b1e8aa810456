// fast-check arbitraries built from the JSON Schemas of /openapi.json: values
// that satisfy a schema (to get past validation and reach the handlers) and
// values that break it in the ways clients and attackers do (wrong types,
// missing and extra fields, boundary lengths, hostile strings).
import fc from 'fast-check';

/** Longest generated string: the limits themselves are probed by `hostileValue`. */
const MAX_GENERATED_CHARS = 400;

/** Strings that have broken parsers, loggers, queries and templates before. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  'e\u0301\u0301\u0301\u0301',
  '𝕏'.repeat(64),
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '"; DROP TABLE documents; --',
  '{"$gt": ""}',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '\r\nSet-Cookie: x=1',
  'a'.repeat(10_000),
];

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', '$where', '$gt', '', 'toString'];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);

/** Any JSON value, including awkward numbers and nesting. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, [], {}),
  hostileString,
);

function stringArbitrary(schema) {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? MAX_GENERATED_CHARS, MAX_GENERATED_CHARS);
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .map((value) => value.slice(0, maxLength))
      .filter((value) => value.length >= minLength);
  }
  if (schema.format === 'email') {
    return fc.emailAddress().filter((value) => value.length <= (schema.maxLength ?? 254));
  }
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
      { weight: 2, arbitrary: fc.lorem({ maxCount: 40 }) },
      { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
    )
    .filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? Infinity));
}

/** Values that satisfy `schema` (as far as the generator can tell). */
export function validValue(schema = {}) {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf || schema.oneOf) {
    return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((member) => validValue(member)));
  }
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -1_000_000,
        max: schema.maximum ?? 1_000_000,
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, member]) => [key, validValue(member)]),
      );
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    default:
      return anyJson;
  }
}

/** A value of the wrong JSON type for `schema`. */
function wrongType(schema) {
  const candidates = {
    string: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
    integer: fc.oneof(
      fc.constantFrom('1', 1.5, -0.5, null, true, '1e3', 'NaN', [1]),
      fc.double({ noNaN: false }),
    ),
    number: fc.constantFrom('1', null, true, [1], {}),
    boolean: fc.constantFrom('true', 1, 0, null, 'false'),
    array: fc.oneof(fc.string(), fc.constant({}), fc.constant(null), fc.integer()),
    object: fc.oneof(fc.string(), fc.constant([]), fc.constant(null), fc.integer()),
  };
  return candidates[schema.type] ?? anyJson;
}

/** Values that sit just outside `schema`'s bounds. */
function outOfBounds(schema) {
  const values = [];
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined) {
      values.push('x'.repeat(Math.min(schema.maxLength + 1, 3_000_000)));
    }
    if ((schema.minLength ?? 0) > 0) values.push('x'.repeat(schema.minLength - 1));
    if (schema.enum) values.push(`${schema.enum[0]}x`, String(schema.enum[0]).toUpperCase());
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    if (schema.maximum !== undefined) values.push(schema.maximum + 1, Number.MAX_SAFE_INTEGER);
    if (schema.minimum !== undefined) values.push(schema.minimum - 1, -2147483649);
  }
  if (schema.type === 'array') {
    if (schema.maxItems !== undefined) values.push(Array(schema.maxItems + 1).fill('a'));
    if ((schema.minItems ?? 0) > 0) values.push([]);
  }
  return values.length ? fc.constantFrom(...values) : wrongType(schema);
}

/** An object that breaks `schema` in one place, or a value that is no object at all. */
function hostileObject(schema) {
  const properties = Object.entries(schema.properties ?? {});
  const base = validValue(schema);
  const mutations = [
    // one field replaced by something hostile
    ...(properties.length
      ? [
          fc
            .tuple(base, fc.constantFrom(...properties), fc.nat())
            .chain(([object, [key, member]]) =>
              hostileValue(member).map((value) => ({ ...object, [key]: value })),
            ),
        ]
      : []),
    // a required field missing
    ...((schema.required ?? []).length
      ? [
          fc
            .tuple(base, fc.constantFrom(...schema.required))
            .map(([object, key]) =>
              Object.fromEntries(Object.entries(object).filter(([k]) => k !== key)),
            ),
        ]
      : []),
    // unknown keys, including prototype pollution attempts
    fc.tuple(base, fc.constantFrom(...HOSTILE_KEYS), anyJson).map(([object, key, value]) => {
      // defineProperty, so that "__proto__" becomes an own key JSON.stringify sends.
      const copy = { ...object };
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true });
      return copy;
    }),
    wrongType(schema),
  ];
  return fc.oneof(...mutations);
}

/** Values that violate `schema`: wrong types, bounds, hostile strings. */
export function hostileValue(schema = {}) {
  if (schema.type === 'object') return hostileObject(schema);
  if (schema.anyOf || schema.oneOf) return fc.oneof(hostileString, anyJson);
  return fc.oneof(
    { weight: 3, arbitrary: outOfBounds(schema) },
    { weight: 2, arbitrary: hostileString },
    { weight: 2, arbitrary: wrongType(schema) },
    { weight: 1, arbitrary: anyJson },
  );
}

/** Mostly valid, often hostile: the mix that reaches handlers and tests validation. */
export function fuzzValue(schema = {}) {
  return fc.oneof(
    { weight: 3, arbitrary: validValue(schema) },
    { weight: 2, arbitrary: hostileValue(schema) },
  );
}
