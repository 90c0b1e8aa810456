import type { DocumentFileType } from './extracted-document';

/** What the client's file name and Content-Type suggest; content always has the last word. */
export interface FormatHints {
  declaredFileType?: DocumentFileType;
  extensionFileType?: DocumentFileType;
}

const EXTENSION_FILE_TYPES: Readonly<Record<string, DocumentFileType>> = {
  pdf: 'pdf',
  docx: 'docx',
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  csv: 'csv',
  json: 'json',
};

const MEDIA_TYPE_FILE_TYPES: Readonly<Record<string, DocumentFileType>> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'text/json': 'json',
};

export function readFormatHints(
  filename: string | undefined,
  declaredType: string | undefined,
): FormatHints {
  const hints: FormatHints = {};
  const dot = filename?.lastIndexOf('.') ?? -1;
  if (filename !== undefined && dot >= 0) {
    const fromExtension = EXTENSION_FILE_TYPES[filename.slice(dot + 1).toLowerCase()];
    if (fromExtension) hints.extensionFileType = fromExtension;
  }
  const mediaType = declaredType?.split(';')[0]?.trim().toLowerCase();
  const fromMediaType = mediaType === undefined ? undefined : MEDIA_TYPE_FILE_TYPES[mediaType];
  if (fromMediaType) hints.declaredFileType = fromMediaType;
  return hints;
}

/** True when either the name or the declared type claims the given format. */
export function hintsClaim(hints: FormatHints, fileType: DocumentFileType): boolean {
  return hints.extensionFileType === fileType || hints.declaredFileType === fileType;
}
