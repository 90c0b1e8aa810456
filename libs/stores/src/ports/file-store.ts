import type { Readable } from 'node:stream';
import type { HealthCheckable } from '../shared/health';

export interface StoredFile {
  readonly body: Readable;
  readonly size: number;
  /** Known when the store keeps it (S3); the document record has the file type anyway. */
  readonly contentType?: string;
}

export interface PutFileOptions {
  readonly contentType?: string;
}

export interface SignedUrlOptions {
  readonly expiresInSeconds: number;
  readonly contentType?: string;
  /** Suggested name for the browser's download (Content-Disposition). */
  readonly downloadName?: string;
}

/**
 * Original uploaded files. Keys are `/`-separated segments of letters, digits,
 * `.`, `_` and `-` that do not start with a dot; anything else (traversal,
 * absolute paths, backslashes) throws `UnsafeFileKeyError` before any I/O.
 */
export interface FileStore extends HealthCheckable {
  /** Replaces the file atomically: readers see the old bytes or the new, never a part. */
  put(key: string, body: Buffer | Readable, options?: PutFileOptions): Promise<{ size: number }>;
  get(key: string): Promise<StoredFile | null>;
  getBuffer(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** `prefix` names a folder and ends with `/`, e.g. `<ownerId>/`. Returns how many files went. */
  deletePrefix(prefix: string): Promise<number>;
  /** A short-lived download URL, or null when the store serves bytes only through `get`. */
  signedDownloadUrl(key: string, options: SignedUrlOptions): Promise<string | null>;
}
