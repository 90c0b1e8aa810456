import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import {
  holdsMoreJsonValuesThan,
  JSON_CHARSET_REFUSAL,
  JSON_VALUE_BUDGET_REFUSAL,
  MAX_JSON_BODY_VALUES,
  namesUtf8OrNoCharset,
} from '@docuthinker/runtime';
import { problem } from '../errors';
import { dropBodyAfterAnswer } from './drop-unread-body';
import { isLargeBodyRequest } from './large-body-admission';

/**
 * The encodings a JSON body may arrive in, on every Node release. body-parser
 * also inflates zstd where Node's zlib has it (Node 24, the images' release,
 * not Node 20): found in an exploratory test, the same request was 415 on
 * one release and 201 on the other.
 */
const ACCEPTED_ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);
const ACCEPTED_ENCODINGS_HEADER = 'gzip, deflate, br';

/**
 * Ordinary JSON requests are small; only a text upload, and an AI task on
 * text sent with it (up to the contract's 2,000,000 characters), may be as
 * large as a file upload.
 */
const DEFAULT_JSON_LIMIT_BYTES = 1024 * 1024;

/**
 * Refuses a UTF-8 body (the default, and what RFC 8259 requires) whose bytes
 * are no UTF-8. The parser would decode them with replacement characters:
 * every password of invalid bytes of one shape then matched any other, and a
 * Latin-1 text was stored with its accents replaced (found in review).
 * Thrown here, body-parser passes it on with this `type` (problem-responses.ts).
 */
function refuseInvalidUtf8(body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() === 'utf-8' && !isUtf8(body)) {
    throw Object.assign(new Error('The JSON body is not valid UTF-8'), {
      type: 'entity.not.utf8',
    });
  }
}

/**
 * Refuses a body of more values than any request holds before it is parsed:
 * within the upload limit, 700,000 keys held the event loop for 1.2 s while
 * they were parsed and checked (found in review).
 */
function refuseTooManyValues(body: Buffer): void {
  if (holdsMoreJsonValuesThan(body, MAX_JSON_BODY_VALUES)) {
    throw Object.assign(new Error(JSON_VALUE_BUDGET_REFUSAL), { type: 'entity.too.many.values' });
  }
}

/** body-parser's `verify`: runs on the (inflated) bytes before the parse. */
function verifyJsonBytes(
  _req: IncomingMessage,
  _res: ServerResponse,
  body: Buffer,
  encoding: string,
): void {
  refuseInvalidUtf8(body, encoding);
  refuseTooManyValues(body);
}

/**
 * Parses `application/json` bodies. A request without a Content-Type (every
 * GET a client sends) is one the JSON parser would skip anyway; it is passed
 * on before the parser's own checks run, and `req.body` stays undefined.
 */
export function jsonBodies(maxUploadBytes: number): RequestHandler {
  const verify = verifyJsonBytes;
  const ordinary = express.json({ limit: DEFAULT_JSON_LIMIT_BYTES, strict: true, verify });
  const upload = express.json({ limit: maxUploadBytes, strict: true, verify });
  return (req, res, next) => {
    if (req.headers['content-type'] === undefined) {
      next();
      return;
    }
    // JSON bodies only: a multipart upload's encoding is read-multipart-upload's to refuse.
    const encoding = (req.headers['content-encoding'] || 'identity').trim().toLowerCase();
    if (!ACCEPTED_ENCODINGS.has(encoding) && req.is('application/json')) {
      // RFC 9110 §12.5.3: a 415 for a content coding says which ones are taken.
      res.setHeader('accept-encoding', ACCEPTED_ENCODINGS_HEADER);
      next(
        problem(
          'DT_ERR_UNSUPPORTED_MEDIA_TYPE',
          'Send the JSON body as it is, or with Content-Encoding gzip, deflate or br.',
        ),
      );
      return;
    }
    // body-parser refused Latin-1 with no word why, and decoded a UTF-8 body
    // labelled UTF-16 into garbage, a 400 (review): JSON is UTF-8 (RFC 8259).
    if (req.is('application/json') && !namesUtf8OrNoCharset(req.headers['content-type'])) {
      next(problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', JSON_CHARSET_REFUSAL));
      return;
    }
    const large = isLargeBodyRequest(req);
    // body-parser checks a declared length only after reading the whole body
    // (300 MB sent to the login route before its 413, found in review): a
    // plain body declared over the limit is answered at once.
    const limit = large ? maxUploadBytes : DEFAULT_JSON_LIMIT_BYTES;
    if (
      encoding === 'identity' &&
      Number(req.headers['content-length']) > limit &&
      req.is('application/json')
    ) {
      dropBodyAfterAnswer(req);
      next(problem('DT_ERR_BODY_TOO_LARGE'));
      return;
    }
    (large ? upload : ordinary)(req, res, next);
  };
}
