export {
  DOCUMENT_ERROR_CODES,
  DOCUMENT_ERROR_HTTP_STATUS,
  DOCUMENT_ERROR_TITLES,
  DocumentError,
  isDocumentError,
  type DocumentErrorCode,
  type DocumentErrorOptions,
} from './document-error';
export {
  DEFAULT_DOCUMENT_LIMITS,
  resolveDocumentLimits,
  type DocumentLimits,
} from './document-limits';
export { textCharset } from './decode-text';
export { displayableDocxHtml } from './displayable-docx-html';
export { extractDocument } from './extract-document';
export { extractPdfText, type PdfText, type PdfTextOptions } from './extract-pdf-text';
export {
  DOCUMENT_FILE_TYPES,
  DOCUMENT_MIME_TYPES,
  type DocumentFileType,
  type DocumentInput,
  type ExtractedDocument,
} from './extracted-document';
export { sanitizeFilename, type SanitizeFilenameOptions } from './sanitize-filename';
export {
  ExtractionPool,
  type DocumentExtractor,
  type ExtractionPoolOptions,
} from './extraction-pool';
export { extractionWorkersFor } from './extraction-pool-size';
export { serveExtractionRequests } from './extraction-worker';
export { ExtractionBusyError } from './extraction-busy-error';
