// Whole HTTP requests for one OpenAPI operation: method, path parameters,
// query string, headers, content type and body, each mostly plausible and
// often hostile, so that requests both reach the handlers and probe every
// layer in front of them (router, URI decoding, body parsers, auth, schemas).
import fc from 'fast-check';
import { fuzzValue, hostileValue, HOSTILE_STRINGS, validValue } from './schema-arbitraries.mjs';

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** Path segments that are not just strange values but strange encodings. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '..',
  '.',
  '%2e%2e',
  '..%2f..%2fetc%2fpasswd',
  'a%2Fb',
  '%00',
  '%F0%9F%92%A9',
  'x'.repeat(5000),
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/problem+json',
  'application/merge-patch+json',
  '*/*',
  'garbage',
  'application/json, text/plain',
];

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1} trailing',
  'nul',
  'null',
  '[]',
  '"just a string"',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
  '\u0000',
];

/** Headers a client or proxy may add, each sometimes hostile. */
const EXTRA_HEADERS = [
  {},
  {},
  {},
  { 'x-request-id': 'fuzz-request-1' },
  { 'x-request-id': 'forged" level=50 msg="injected%0a' },
  { 'x-request-id': 'r'.repeat(4000) },
  { 'x-forwarded-for': '1.2.3.4, not-an-ip, ::1' },
  { 'content-encoding': 'gzip' },
  { 'content-encoding': 'br' },
  { 'content-encoding': 'identity, deflate' },
  { 'accept-encoding': 'gzip;q=2, *;q=-1' },
  { origin: 'https://evil.example' },
  { 'accept-language': '*'.repeat(200) },
];

const ACCEPTS = [
  'application/json',
  'text/event-stream',
  '*/*',
  'text/html',
  'garbage/;;',
  undefined,
];

/** Small files in every format an upload may claim to be. */
const UPLOAD_FILES = [
  { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('Fuzzing notes about zebras.\n') },
  { name: 'page.html', type: 'text/html', bytes: Buffer.from('<h1>Title</h1><p>body</p>') },
  { name: 'data.csv', type: 'text/csv', bytes: Buffer.from('a,b\n1,2\n') },
  { name: 'data.json', type: 'application/json', bytes: Buffer.from('{"a":[1,2,3]}') },
  { name: 'doc.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.7\n%garbage\n') },
  { name: 'doc.docx', type: 'application/octet-stream', bytes: Buffer.from('PK\u0003\u0004junk') },
  { name: 'binary.bin', type: 'application/octet-stream', bytes: Buffer.from([0, 1, 2, 255, 254]) },
  { name: 'empty.txt', type: 'text/plain', bytes: Buffer.alloc(0) },
];

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, as on the wire). */
function encodeSegment(value) {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'x');
  return Array.from(Buffer.from(text, 'utf8'), (byte) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

function pathSegment(parameter, pool) {
  const choices = [
    { weight: 2, arbitrary: validValue(parameter.schema).map(encodeSegment) },
    { weight: 2, arbitrary: hostileValue(parameter.schema).map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  ];
  if (pool?.length)
    choices.push({ weight: 5, arbitrary: fc.constantFrom(...pool).map(encodeSegment) });
  return fc.oneof(...choices);
}

function queryValue(value) {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function queryString(parameters, pools) {
  const entries = parameters.map((parameter) => {
    const pool = pools[parameter.name];
    const value = pool?.length
      ? fc.oneof(fc.constantFrom(...pool), fuzzValue(parameter.schema))
      : fuzzValue(parameter.schema);
    return parameter.required
      ? value.map((v) => [[parameter.name, queryValue(v)]])
      : fc
          .option(value, { freq: 3 })
          .map((v) => (v === null ? [] : [[parameter.name, queryValue(v)]]));
  });
  const names = parameters.map((parameter) => parameter.name);
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant([]) },
    // repeated names arrive as arrays in some parsers
    ...(names.length
      ? [
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom(...names), fc.string(), fc.string())
              .map(([name, a, b]) => [
                [name, a],
                [name, b],
              ]),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                fc.constantFrom(...names),
                fc.constantFrom('[$gt]', '[]', '[0]', '[__proto__]'),
              )
              .map(([name, suffix]) => [[`${name}${suffix}`, '1']]),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.constant([['__proto__[admin]', 'true']]) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((s) => [[s, s]]) },
  );
  return fc.tuple(fc.tuple(...entries), extras).map(([own, extra]) => {
    const search = new URLSearchParams([...own.flat(), ...extra]).toString();
    return search ? `?${search}` : '';
  });
}

function multipartBody(schema) {
  const boundary = '----fuzz' + 'b'.repeat(8);
  const file = fc.record({
    file: fc.constantFrom(...UPLOAD_FILES),
    name: fc.oneof(fc.constant(undefined), fc.constantFrom(...HOSTILE_STRINGS.slice(0, 22))),
    field: fc.constantFrom('file', 'file', 'file', 'document', ''),
  });
  const title = fc.option(fuzzValue(schema?.properties?.title ?? { type: 'string' }), { freq: 2 });
  const wellFormed = fc.tuple(file, title).map(([{ file: upload, name, field }, t]) => {
    const parts = [];
    if (t !== null) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${queryValue(t)}\r\n`,
        ),
      );
    }
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${(name ?? upload.name).replaceAll('"', '%22').replaceAll('\r', '').replaceAll('\n', '')}"\r\nContent-Type: ${upload.type}\r\n\r\n`,
      ),
      upload.bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
  });
  const malformed = fc.constantFrom(
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\ntruncated`,
    },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: 'no boundary here' },
    { contentType: 'multipart/form-data', body: `--${boundary}\r\n\r\n--${boundary}--` },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: '' },
  );
  return fc.oneof({ weight: 4, arbitrary: wellFormed }, { weight: 1, arbitrary: malformed });
}

function jsonBody(schema) {
  return fc.oneof(
    { weight: 8, arbitrary: fuzzValue(schema).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
  );
}

/** Content type and body for an operation: its own media types, mostly. */
function bodyFor(operation) {
  const media = Object.entries(operation.bodies);
  const choices = [];
  for (const [type, schema] of media) {
    if (type === 'application/json') {
      choices.push({
        weight: 8,
        arbitrary: jsonBody(schema).map((body) => ({ contentType: 'application/json', body })),
      });
      choices.push({
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...CONTENT_TYPES), jsonBody(schema))
          .map(([contentType, body]) => ({ contentType, body })),
      });
    } else if (type.startsWith('multipart/')) {
      choices.push({ weight: 6, arbitrary: multipartBody(schema) });
    }
  }
  // a body nobody asked for, or none where one is required
  choices.push({ weight: media.length ? 1 : 6, arbitrary: fc.constant({}) });
  choices.push({
    weight: 1,
    arbitrary: fc
      .constantFrom(...CONTENT_TYPES, 'application/json')
      .chain((contentType) =>
        fc.constantFrom(...MALFORMED_JSON, 'a=b&c=d').map((body) => ({ contentType, body })),
      ),
  });
  return fc.oneof(...choices);
}

/**
 * @param operation one entry of readOperations()
 * @param context {{ authorization: fc.Arbitrary<string|undefined>, pools: Record<string, string[]> }}
 *   `pools` holds known-good values by parameter name (ids that exist, owners).
 */
export function requestArbitrary(operation, context) {
  const method = fc.oneof(
    { weight: 19, arbitrary: fc.constant(operation.method) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
  );
  const segments = operation.pathParams.map((parameter) =>
    pathSegment(parameter, context.pools[parameter.name]).map((value) => [parameter.name, value]),
  );
  const path = fc
    .tuple(...segments)
    .map((pairs) =>
      pairs.reduce(
        (template, [name, value]) => template.replace(`{${name}}`, value),
        operation.path,
      ),
    );
  return fc
    .record({
      method,
      path,
      query: queryString(operation.queryParams, context.pools),
      authorization: operation.authenticated
        ? context.authorization
        : fc.option(context.authorization, { freq: 4 }),
      accept: fc.constantFrom(...ACCEPTS),
      extra: fc.constantFrom(...EXTRA_HEADERS),
      payload: bodyFor(operation),
    })
    .map(({ method: verb, path: concretePath, query, authorization, accept, extra, payload }) => {
      const headers = { ...extra };
      if (authorization != null) headers.authorization = authorization;
      if (accept) headers.accept = accept;
      if (payload.contentType) headers['content-type'] = payload.contentType;
      return {
        operation: `${operation.method} ${operation.path}`,
        method: verb,
        path: `${concretePath}${query}`,
        headers,
        body: payload.body,
      };
    });
}
