import { createHash } from 'node:crypto';

/** Short, stable hex digest of a text, used in chunk ids. */
export function contentHash(text: string, length = 12): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** 32-bit FNV-1a: fast, well spread and identical on every machine. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
