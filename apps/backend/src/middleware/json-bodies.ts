import express, { type RequestHandler } from 'express';
import { isLargeBodyRequest } from './large-body-admission';

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
    (isLargeBodyRequest(req) ? upload : ordinary)(req, res, next);
  };
}
