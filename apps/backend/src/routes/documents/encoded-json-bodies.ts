import type { Response } from 'express';
import { LRUCache } from 'lru-cache';

/** Room for the encodings of many owners' first pages; a miss only costs one encoding. */
const MAX_BYTES = 16 * 1024 * 1024;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface EncodedBody {
  readonly bytes: Buffer;
  /** As the app's `etag fn` makes it; undefined when ETags are off. */
  readonly etag: string | undefined;
}

/** Express's `etag fn` setting: the ETag `res.send` would give a body, if any. */
export type EtagFunction = (body: Buffer) => string | undefined;

/**
 * Sends JSON texts that are sent again and again (cached listing pages) as
 * bytes encoded once. `res.send(text)` would encode the text and hash it for
 * the ETag on every request; the encoding and the ETag are functions of the
 * text alone, so they are kept per text and a hit reuses them. The ETag comes
 * from the app's own `etag fn`, so it is the one Express would have made and
 * conditional requests (If-None-Match → 304) keep working.
 */
export class EncodedJsonBodies {
  private readonly encodings = new LRUCache<string, EncodedBody>({
    maxSize: MAX_BYTES,
    sizeCalculation: (body, text) => Math.max(1, body.bytes.length + text.length),
  });

  constructor(private readonly etagOf: EtagFunction | undefined) {}

  send(res: Response, text: string): void {
    const body = this.encoded(text);
    res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    if (body.etag !== undefined) res.setHeader('ETag', body.etag);
    res.send(body.bytes);
  }

  /** The bytes and ETag of `text`, remembered. */
  encoded(text: string): EncodedBody {
    const known = this.encodings.get(text);
    if (known !== undefined) return known;
    const bytes = Buffer.from(text, 'utf8');
    const body: EncodedBody = { bytes, etag: this.etagOf?.(bytes) || undefined };
    this.encodings.set(text, body);
    return body;
  }
}
