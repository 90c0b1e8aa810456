import { createHash } from 'node:crypto';
import { hasVisibleText } from '@docuthinker/contracts';
import { decodeText } from './decode-text';
import { detectFormat, type DetectedFormat } from './detect-format';
import { chooseTitle, firstMarkdownHeading } from './document-title';
import { DocumentError, textTooLongError } from './document-error';
import { resolveDocumentLimits, type DocumentLimits } from './document-limits';
import { extractDocx } from './extract-docx';
import { extractPdfText } from './extract-pdf-text';
import {
  DOCUMENT_MIME_TYPES,
  type DocumentInput,
  type ExtractedDocument,
} from './extracted-document';
import { readFormatHints } from './format-hints';
import { htmlToText } from './html-text';
import { sanitizeFilename } from './sanitize-filename';

interface FormatContent {
  text: string;
  html?: string;
  pages?: number;
  heading?: string;
}

/**
 * Turns uploaded bytes into a document: detects the format from the content,
 * extracts text (and HTML for DOCX) within the limits, and derives a title.
 * Throws `DocumentError` for anything that cannot become a document; any
 * other error is a bug or a caller mistake.
 */
export async function extractDocument(
  input: DocumentInput,
  limitOverrides: Partial<DocumentLimits> = {},
): Promise<ExtractedDocument> {
  const limits = resolveDocumentLimits(limitOverrides);
  const { bytes } = input;
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('extractDocument needs the upload as a Uint8Array');
  if (bytes.byteLength === 0) {
    throw new DocumentError('DT_ERR_EMPTY_DOCUMENT', 'The file is empty.');
  }
  if (bytes.byteLength > limits.maxBytes) {
    throw new DocumentError(
      'DT_ERR_FILE_TOO_LARGE',
      `The file is larger than the ${formatBytes(limits.maxBytes)} upload limit.`,
      { limit: 'maxBytes' },
    );
  }

  const filename = input.filename === undefined ? undefined : sanitizeFilename(input.filename);
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  const format: DetectedFormat = input.plainText
    ? { fileType: 'txt', text: decodeText(bytes) }
    : await detectFormat(bytes, readFormatHints(filename, input.declaredType), limits.maxJsonDepth);

  let content: FormatContent;
  switch (format.fileType) {
    case 'pdf': {
      const pdf = await extractPdfText(bytes, {
        maxPages: limits.maxPages,
        maxUncompressedBytes: limits.maxUncompressedBytes,
        maxCompressionRatio: limits.maxCompressionRatio,
        maxTextChars: limits.maxTextChars,
      });
      content = {
        text: pdf.text,
        pages: pdf.pages,
        ...(pdf.title === undefined ? {} : { heading: pdf.title }),
      };
      break;
    }
    case 'docx': {
      const docx = await extractDocx(bytes, limits);
      content = {
        text: docx.text,
        html: docx.html,
        ...(docx.firstHeading === undefined ? {} : { heading: docx.firstHeading }),
      };
      break;
    }
    case 'html': {
      const page = htmlToText(format.text);
      const heading = page.title ?? page.firstHeading;
      content = { text: page.text, ...(heading === undefined ? {} : { heading }) };
      break;
    }
    case 'md': {
      const heading = firstMarkdownHeading(format.text);
      content = { text: format.text, ...(heading === undefined ? {} : { heading }) };
      break;
    }
    case 'txt':
    case 'csv':
    case 'json':
      content = { text: format.text };
      break;
  }

  if (!hasVisibleText(content.text)) {
    throw new DocumentError(
      'DT_ERR_EMPTY_DOCUMENT',
      format.fileType === 'pdf'
        ? 'The PDF contains no extractable text. Scanned PDFs need text recognition (OCR) before upload.'
        : 'The document contains no text.',
    );
  }
  if (content.text.length > limits.maxTextChars) throw textTooLongError(limits.maxTextChars);

  return {
    fileType: format.fileType,
    mimeType: DOCUMENT_MIME_TYPES[format.fileType],
    text: content.text,
    ...(content.html === undefined ? {} : { html: content.html }),
    ...(content.pages === undefined ? {} : { pages: content.pages }),
    title: chooseTitle({
      ...(format.fileType === 'json' ? {} : { text: content.text }),
      ...(content.heading === undefined ? {} : { heading: content.heading }),
      ...(filename === undefined ? {} : { filename }),
    }),
    ...(filename === undefined ? {} : { filename }),
    contentHash,
    size: bytes.byteLength,
  };
}

function formatBytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return megabytes >= 1 ? `${Number(megabytes.toFixed(1))} MB` : `${bytes} bytes`;
}
