import { DocumentError } from './document-error';
import type { DocumentLimits } from './document-limits';
import { guardZipArchive } from './guard-zip-archive';
import { htmlToText } from './html-text';

export interface DocxContent {
  text: string;
  /** Mammoth's HTML without images, embedded style maps or non-web links (safeDocxHtml). */
  html: string;
  firstHeading?: string;
}

/**
 * Converts a DOCX to HTML with mammoth, after the zip-bomb guard has checked
 * the archive, and reads the text from that HTML so the document is parsed
 * once.
 */
export async function extractDocx(bytes: Uint8Array, limits: DocumentLimits): Promise<DocxContent> {
  await guardZipArchive(bytes, limits);
  // Loaded on the first DOCX rather than at start-up (about 60 ms each).
  const [{ default: mammoth }, { safeDocxHtml }] = await Promise.all([
    import('mammoth'),
    import('./safe-docx-html'),
  ]);
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        // A style map inside the file could map paragraphs to <script>.
        includeEmbeddedStyleMap: false,
        externalFileAccess: false,
        // Images would be inlined as data URIs (megabytes of base64 in every
        // stored copy); the original file keeps them. Never read, they are
        // written without a source, and safeDocxHtml drops them.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
      },
    );
    html = safeDocxHtml(result.value);
  } catch (error) {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      'The document is damaged or is not a Word document.',
      { cause: error },
    );
  }
  const { text, firstHeading } = htmlToText(html);
  return { text, html, ...(firstHeading === undefined ? {} : { firstHeading }) };
}
