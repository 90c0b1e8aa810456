const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * Whether a JSON content type's charset, if it names one, is UTF-8: the only
 * one JSON (RFC 8259) allows. Both services refuse another with 415 rather
 * than decode it (a Latin-1 body lost its accents; UTF-16 read as garbage).
 * By its registered name only, as the backend's parser (body-parser) reads
 * it: "utf8" is refused by both.
 */
export function namesUtf8OrNoCharset(contentType: string): boolean {
  const charset = CHARSET.exec(contentType)?.[1];
  return charset === undefined || /^utf-8$/i.test(charset);
}

/** The detail of that 415, the same from both services. */
export const JSON_CHARSET_REFUSAL = 'JSON bodies are UTF-8: name charset=utf-8 or none.';
