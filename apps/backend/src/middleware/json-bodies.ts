import express, { type RequestHandler } from 'express';
import { problem } from '../errors';
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
 * Parses `application/json` bodies. A request without a Content-Type (every
 * GET a client sends) is one the JSON parser would skip anyway; it is passed
 * on before the parser's own checks run, and `req.body` stays undefined.
 */
export function jsonBodies(maxUploadBytes: number): RequestHandler {
  const ordinary = express.json({ limit: DEFAULT_JSON_LIMIT_BYTES, strict: true });
  const upload = express.json({ limit: maxUploadBytes, strict: true });
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
    (isLargeBodyRequest(req) ? upload : ordinary)(req, res, next);
  };
}
