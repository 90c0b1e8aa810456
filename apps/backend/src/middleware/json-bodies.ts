import express, { type RequestHandler } from 'express';

/** Ordinary JSON requests are small; only a text upload may be as large as a file upload. */
const DEFAULT_JSON_LIMIT_BYTES = 1024 * 1024;

const isTextUpload = (req: { method: string; path: string }) =>
  req.method === 'POST' && req.path === '/api/documents';

export function jsonBodies(maxUploadBytes: number): RequestHandler {
  const ordinary = express.json({ limit: DEFAULT_JSON_LIMIT_BYTES, strict: true });
  const upload = express.json({ limit: maxUploadBytes, strict: true });
  return (req, res, next) => (isTextUpload(req) ? upload : ordinary)(req, res, next);
}
