import express, { type RequestHandler } from 'express';

/** Ordinary JSON requests are small; only a text upload may be as large as a file upload. */
const DEFAULT_JSON_LIMIT_BYTES = 1024 * 1024;

// As Express routes it: case-insensitive, with or without a trailing slash.
const TEXT_UPLOAD_PATH = /^\/api\/documents\/?$/i;

const isTextUpload = (req: { method: string; path: string }) =>
  req.method === 'POST' && TEXT_UPLOAD_PATH.test(req.path);

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
    (isTextUpload(req) ? upload : ordinary)(req, res, next);
  };
}
