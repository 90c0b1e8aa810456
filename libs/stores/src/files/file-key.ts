import { UnsafeFileKeyError } from '../shared/errors';

/** One path segment: ASCII letters, digits, `.`, `_`, `-`, not starting with a dot. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const MAX_KEY_LENGTH = 1024;

/**
 * Accepts only keys that mean the same on a POSIX file system, on Windows and
 * in S3: no `..` or `.` segments, no absolute paths, no backslashes, no empty
 * segments, nothing outside a conservative alphabet. User-supplied file names
 * never become keys directly; keys are built from ids (e.g. `<owner>/<doc>/original.pdf`).
 */
export function assertSafeFileKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new UnsafeFileKeyError(String(key), 'empty');
  }
  if (key.length > MAX_KEY_LENGTH) throw new UnsafeFileKeyError(key, 'too long');
  for (const segment of key.split('/')) {
    if (!SAFE_SEGMENT.test(segment)) {
      throw new UnsafeFileKeyError(
        key,
        'segments must be [A-Za-z0-9._-], not empty and not dot-led',
      );
    }
  }
}

/** A folder prefix: a safe key followed by `/`. Refusing `""` keeps "delete everything" out of reach. */
export function assertSafeFilePrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new UnsafeFileKeyError(String(prefix), 'a prefix must end with "/"');
  }
  assertSafeFileKey(prefix.slice(0, -1));
}

/** A `Content-Disposition` value that names the download, with an ASCII fallback. */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
