import { BIDI_CONTROLS } from '@docuthinker/contracts';
export interface SanitizeFilenameOptions {
  /** Longest result in UTF-8 bytes; 255 is the common file-system limit. */
  maxBytes?: number;
  /** Returned when nothing usable is left. */
  fallback?: string;
}

// C0 and C1 controls and DEL; the bidirectional controls go too (BIDI_CONTROLS).
const CONTROL = /\p{Cc}/gu;
// Characters that are path syntax or quoting trouble on Windows, in
// Content-Disposition headers or in shells.
const RESERVED = /[<>:"|?*]/g;
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const LONGEST_KEPT_EXTENSION = 16;

/**
 * Turns a client-supplied file name into a single, displayable path segment:
 * directories (`../../etc/passwd`, `C:\x\y.pdf`) are dropped, controls and
 * spoofing characters removed, Unicode normalised to NFC, and the length
 * capped without splitting a character or losing the extension.
 */
export function sanitizeFilename(name: string, options: SanitizeFilenameOptions = {}): string {
  const maxBytes = options.maxBytes ?? 255;
  const fallback = options.fallback ?? 'document';

  const lastSegment = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let cleaned = lastSegment
    .replace(CONTROL, '')
    .replace(BIDI_CONTROLS, '')
    .replace(RESERVED, '_')
    .replace(/\s+/g, ' ')
    // Leading dots hide files or climb directories; trailing dots and spaces
    // are silently dropped by Windows.
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (WINDOWS_DEVICE_NAME.test(cleaned)) cleaned = `_${cleaned}`;
  if (cleaned === '') return fallback;
  return capUtf8Length(cleaned, maxBytes);
}

function capUtf8Length(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const candidate = dot > 0 && name.length - dot <= LONGEST_KEPT_EXTENSION ? name.slice(dot) : '';
  // Keep the extension only if a meaningful part of the stem still fits.
  const extension = Buffer.byteLength(candidate) * 2 <= maxBytes ? candidate : '';
  const budget = maxBytes - Buffer.byteLength(extension);
  let stem = '';
  let used = 0;
  for (const character of name.slice(0, name.length - extension.length)) {
    const size = Buffer.byteLength(character);
    if (used + size > budget) break;
    stem += character;
    used += size;
  }
  return stem.replace(/[\s.]+$/, '') + extension;
}
