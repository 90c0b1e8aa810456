import { fileTypeFromBuffer } from 'file-type';
import { hasConsistentCsvShape } from './csv-shape';
import { decodeText } from './decode-text';
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
const UNREADABLE_TEXT_FORMATS = new Set(['rtf', 'ps', 'eps', 'pgp']);

/**
 * Decides the format from the bytes: binary signatures (via file-type) first,
 * then, for text (see `decodeText`), markup sniffing and a JSON parse. The file name and
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
  if (signature?.ext === 'cfb') throw compoundFileError(bytes);
  if (signature?.ext === 'zip' && hintsClaim(hints, 'docx')) {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      'The file is named as a DOCX document but does not contain one.',
    );
  }

  let text: string | undefined;
  let notText: unknown;
  try {
    text = decodeText(bytes);
  } catch (error) {
    notText = error;
  }

  // Some signatures are two or four ASCII letters ("BM" for bitmaps, "FORM"
  // for AIFF), so a text file may start with one by chance: a signature
  // only decides when the content is not clean text, or when it names
  // a text-based format whose text is not a readable document.
  if (
    signature !== undefined &&
    (text === undefined || isUnreadableTextFormat(signature.ext, hints))
  ) {
    throw new DocumentError(
      'DT_ERR_UNSUPPORTED_TYPE',
      `The file is ${signature.mime}, which is not supported. ${SUPPORTED_TYPES}`,
    );
  }
  if (text === undefined) {
    const claimsBinaryFormat = hintsClaim(hints, 'pdf') || hintsClaim(hints, 'docx');
    if (
      claimsBinaryFormat &&
      notText instanceof DocumentError &&
      notText.code === 'DT_ERR_UNSUPPORTED_TYPE'
    ) {
      throw new DocumentError(
        'DT_ERR_CORRUPT_FILE',
        'The file is named as a PDF or DOCX document but its content is not one.',
      );
    }
    throw notText;
  }
  return { fileType: classifyText(text, hints, maxJsonDepth), text };
}

/** Password-protected Office documents and legacy .doc files share the OLE container. */
function compoundFileError(bytes: Uint8Array): DocumentError {
  const container = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (container.includes(ENCRYPTED_PACKAGE_STREAM)) {
    return new DocumentError(
      'DT_ERR_ENCRYPTED_FILE',
      'The document is protected by a password. Remove the password and upload it again.',
    );
  }
  return new DocumentError(
    'DT_ERR_UNSUPPORTED_TYPE',
    `Legacy Microsoft Office files (.doc) are not supported. Save the file as DOCX or PDF. ${SUPPORTED_TYPES}`,
  );
}

/**
 * RTF and PostScript would come out as markup noise and an armoured PGP
 * message as ciphertext; XML is read as text only when named as HTML or text.
 */
function isUnreadableTextFormat(ext: string, hints: FormatHints): boolean {
  if (ext === 'xml') return !claimsTextFormat(hints);
  return UNREADABLE_TEXT_FORMATS.has(ext);
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
