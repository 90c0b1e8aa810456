import { DocumentError } from './document-error';

const SAMPLE_BYTES = 64 * 1024;
// Text files use tab, line feed, form feed and carriage return; a few other
// controls slip into real text (ESC in logs), so tolerate a small share.
const MAX_CONTROL_SHARE = 0.01;

/**
 * Decodes an upload that no binary signature matched. Only UTF-8 is
 * accepted: binary data is an unsupported type, and bytes that are not valid
 * UTF-8 are a corrupt (or mis-encoded) text file. Line ends become `\n`.
 */
export function decodeUtf8Text(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xfe, 0xff]) || startsWith(bytes, [0xff, 0xfe])) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      'UTF-16 text is not supported. Save the file as UTF-8 and upload it again.',
    );
  }
  if (looksBinary(bytes)) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      'The file contains binary data and is not a supported document type. Supported types: PDF, DOCX, TXT, Markdown, HTML, CSV and JSON.',
    );
  }
  let text: string;
  try {
    // Without ignoreBOM the decoder drops a leading UTF-8 byte order mark.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      'The file is not valid UTF-8 text. Save it with UTF-8 encoding and upload it again.',
    );
  }
  return normalizeNewlines(text);
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function looksBinary(bytes: Uint8Array): boolean {
  // A NUL byte anywhere is the classic binary marker (git and file(1) use it);
  // no text format we accept contains one.
  if (bytes.includes(0)) return true;
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  let controls = 0;
  for (const byte of sample) {
    const isTextControl = byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d;
    if ((byte < 0x20 && !isTextControl) || byte === 0x7f) controls += 1;
  }
  return controls > sample.length * MAX_CONTROL_SHARE;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
