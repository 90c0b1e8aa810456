import { fileTypeFromBuffer } from 'file-type';
import { hasConsistentCsvShape } from './csv-shape';
import { decodeUtf8Text } from './decode-text';
import { DocumentError } from './document-error';
import type { DocumentFileType } from './extracted-document';
import { hintsClaim, type FormatHints } from './format-hints';
import { checkJsonDocument, isJsonDocument } from './json-document';
import { looksLikeHtml } from './sniff-html';

export type TextFileType = Exclude<DocumentFileType, 'pdf' | 'docx'>;

export type DetectedFormat =
  { fileType: 'pdf' | 'docx' } | { fileType: TextFileType; text: string };

const SUPPORTED_TYPES = 'Supported types: PDF, DOCX, TXT, Markdown, HTML, CSV and JSON.';
// Office documents protected by a password are stored as an OLE compound file
// holding a stream with this name (MS-OFFCRYPTO 2.3.4.4), in UTF-16LE.
const ENCRYPTED_PACKAGE_STREAM = Buffer.from('EncryptedPackage', 'utf16le');

/**
 * Decides the format from the bytes: binary signatures (via file-type) first,
 * then, for UTF-8 text, markup sniffing and a JSON parse. The file name and
 * declared type only choose between text formats that content cannot tell
 * apart (Markdown and CSV look like plain text).
 */
export async function detectFormat(
  bytes: Uint8Array,
  hints: FormatHints,
  maxJsonDepth: number,
): Promise<DetectedFormat> {
  const signature = await fileTypeFromBuffer(bytes);
  if (signature?.ext === 'pdf' || signature?.ext === 'docx') return { fileType: signature.ext };

  const claimsBinaryFormat = hintsClaim(hints, 'pdf') || hintsClaim(hints, 'docx');
  if (signature?.ext === 'cfb') {
    if (
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(
        ENCRYPTED_PACKAGE_STREAM,
      )
    ) {
      throw new DocumentError(
        'DT_ERR_ENCRYPTED_FILE',
        'The document is protected by a password. Remove the password and upload it again.',
      );
    }
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      `Legacy Microsoft Office files (.doc) are not supported. Save the file as DOCX or PDF. ${SUPPORTED_TYPES}`,
    );
  }
  if (signature?.ext === 'zip' && hintsClaim(hints, 'docx')) {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      'The file is named as a DOCX document but does not contain one.',
    );
  }
  if (signature !== undefined && !(signature.ext === 'xml' && claimsTextFormat(hints))) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      `The file is ${signature.mime}, which is not supported. ${SUPPORTED_TYPES}`,
    );
  }

  let text: string;
  try {
    text = decodeUtf8Text(bytes);
  } catch (error) {
    if (
      claimsBinaryFormat &&
      error instanceof DocumentError &&
      error.code === 'DT_ERR_UNSUPPORTED_TYPE'
    ) {
      throw new DocumentError(
        'DT_ERR_CORRUPT_FILE',
        'The file is named as a PDF or DOCX document but its content is not one.',
      );
    }
    throw error;
  }
  return { fileType: classifyText(text, hints, maxJsonDepth), text };
}

function claimsTextFormat(hints: FormatHints): boolean {
  return (['txt', 'md', 'html'] as const).some((fileType) => hintsClaim(hints, fileType));
}

function classifyText(text: string, hints: FormatHints, maxJsonDepth: number): TextFileType {
  if (hintsClaim(hints, 'json')) {
    checkJsonDocument(text, maxJsonDepth);
    return 'json';
  }
  // Markdown may open with an HTML comment or tag, so its name outranks sniffing.
  if (hintsClaim(hints, 'md')) return 'md';
  if (hintsClaim(hints, 'html') || looksLikeHtml(text)) return 'html';
  if (hintsClaim(hints, 'csv')) return hasConsistentCsvShape(text) ? 'csv' : 'txt';
  const firstCharacter = text.charAt(text.search(/\S/));
  if ((firstCharacter === '{' || firstCharacter === '[') && isJsonDocument(text, maxJsonDepth))
    return 'json';
  return 'txt';
}
