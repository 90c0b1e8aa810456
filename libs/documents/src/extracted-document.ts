export const DOCUMENT_FILE_TYPES = ['pdf', 'docx', 'txt', 'md', 'html', 'csv', 'json'] as const;

export type DocumentFileType = (typeof DOCUMENT_FILE_TYPES)[number];

/** The media type recorded for each accepted format, whatever the client declared. */
export const DOCUMENT_MIME_TYPES: Readonly<Record<DocumentFileType, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
};

export interface DocumentInput {
  bytes: Uint8Array;
  /** The client's file name: a hint for text formats and a title fallback, never trusted as a path. */
  filename?: string;
  /** The client's Content-Type: a hint only; the bytes decide. */
  declaredType?: string;
  /**
   * The bytes are text a client sent as text (UTF-8), not a file: kept as
   * plain text whatever they begin with, instead of being sniffed for a
   * format ("%PDF-1.4" at the start of a note is not a damaged PDF).
   */
  plainText?: boolean;
}

export interface ExtractedDocument {
  fileType: DocumentFileType;
  mimeType: string;
  /** Plain text with `\n` line ends. */
  text: string;
  /** Safe-to-render HTML where the format has structure (DOCX). */
  html?: string;
  /** Page count, for PDFs. */
  pages?: number;
  /** The document's own title or first heading, else the file name, else its first line. */
  title: string;
  /** The client's file name after `sanitizeFilename`, when one was given. */
  filename?: string;
  /** Hex SHA-256 of the original bytes. */
  contentHash: string;
  /** Size of the original bytes. */
  size: number;
}
