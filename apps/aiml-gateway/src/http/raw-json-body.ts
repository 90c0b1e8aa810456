import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  holdsMoreJsonValuesThan,
  JSON_CHARSET_REFUSAL,
  JSON_VALUE_BUDGET_REFUSAL,
  MAX_JSON_BODY_VALUES,
  namesUtf8OrNoCharset,
} from '@docuthinker/runtime';
import { problem } from '../errors';

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** A `Content-Encoding` other than identity: this service decodes none. */
function isEncoded(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && !/^\s*(identity\s*)?$/i.test(contentEncoding);
}

/**
 * Parses JSON bodies in `scope` as Fastify's default parser does (the same
 * prototype-poisoning checks and errors), minus what that parser lets
 * through: it decodes every body as UTF-8, whatever charset the request
 * names, and turns bytes that are not UTF-8 into U+FFFD, so a Latin-1 body
 * was indexed with its accented letters destroyed and nobody told.
 *
 * - a charset other than UTF-8 is 415, and so is a compressed body (RFC 7694:
 *   the 415 says which codings are taken, none);
 * - bytes that are not valid UTF-8 are 400 `DT_ERR_MALFORMED_JSON`;
 * - valid JSON with a `__proto__` key, or `constructor` holding `prototype`
 *   (Fastify's parser refuses them, secure-json-parse's rules), is 400
 *   `DT_ERR_VALIDATION` saying so;
 * - a body of more than MAX_JSON_BODY_VALUES values is 413 before it is
 *   parsed: within the byte limit, 700,000 metadata keys held the event loop
 *   for seconds;
 * - an empty DELETE body is no body: clients that send the JSON content type
 *   on every request are not refused for it.
 *
 * `onBytes` sees the bytes a body was parsed from (the `/analyze` proxy
 * forwards the client's bytes instead of serialising the parsed object again).
 */
export function parseJsonBodies(
  scope: FastifyInstance,
  onBytes?: (request: FastifyRequest, bytes: Buffer) => void,
): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  if (scope.hasContentTypeParser('application/json')) {
    scope.removeContentTypeParser('application/json');
  }
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (isEncoded(request.headers['content-encoding'])) {
      // The bytes are compressed: parsed as they are they read as bad JSON.
      done(
        problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the JSON body uncompressed.', {
          headers: { 'Accept-Encoding': 'identity' },
        }),
        undefined,
      );
      return;
    }
    if (!namesUtf8OrNoCharset(request.headers['content-type'] ?? '')) {
      done(problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', JSON_CHARSET_REFUSAL), undefined);
      return;
    }
    if (bytes.length === 0 && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(problem('DT_ERR_MALFORMED_JSON', 'The body is not valid UTF-8.'), undefined);
      return;
    }
    if (holdsMoreJsonValuesThan(bytes, MAX_JSON_BODY_VALUES)) {
      done(problem('DT_ERR_BODY_TOO_LARGE', JSON_VALUE_BUDGET_REFUSAL), undefined);
      return;
    }
    onBytes?.(request, bytes);
    const text = bytes.toString('utf8');
    parseJson(request, text, (error, value) => {
      // Fastify answers a refused key as it answers bad JSON; valid JSON
      // refused for its keys is told so, not that it "is not valid JSON".
      if (error && isValidJson(text)) {
        done(
          problem(
            'DT_ERR_VALIDATION',
            'A JSON key named __proto__, or constructor holding prototype, is refused anywhere in the body.',
          ),
          undefined,
        );
        return;
      }
      done(error, value);
    });
  });
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const UTF8_BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Like `parseJsonBodies`, keeping the bytes each body was parsed from for
 * `rawJsonBody`, less a leading byte order mark: a parser may ignore one
 * (RFC 8259 §8.1), but a sender must not add one, and the bytes are sent on
 * (found in review: a strict container's JSON.parse refused the forwarded body).
 */
export function keepRawJsonBody(scope: FastifyInstance): void {
  parseJsonBodies(scope, (request, bytes) =>
    rawBodies.set(
      request,
      bytes.subarray(0, 3).equals(UTF8_BYTE_ORDER_MARK) ? bytes.subarray(3) : bytes,
    ),
  );
}

/** The bytes the request's JSON body was parsed from (no byte order mark), in a scope with `keepRawJsonBody`. */
export function rawJsonBody(request: FastifyRequest): Buffer | undefined {
  return rawBodies.get(request);
}
